-- File handles are userdata with the FILE* metatable
print(1, type(io.stdout), io.type(io.stdout), io.type(42), io.type({}))
print(2, getmetatable(io.stdout).__name, tostring(io.stdout):match("^file %(") ~= nil)
print(3, io.stdout == io.output(), rawequal(io.stdin, io.input()))
print(4, pcall(io.stdout.write, {}, "x"))
print(5, select("#", io.stdout:write("")), io.stdout:write("") == io.stdout)
local ok, e = pcall(function() return io.stdout.nonexistent() end)
print(6, ok, e)
print(7, pcall(rawlen, io.stdout))
