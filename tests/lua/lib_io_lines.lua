-- io.lines and file:lines with formats; closing behaviour
local name = os.tmpname()
local f = assert(io.open(name, "w"))
f:write("alpha\nbeta\n\ngamma\n10 20 30\n1.5e3 0x10 -7\ntail")
f:close()
local n = 0
for l in io.lines(name) do n = n + 1 io.write(n, ":[", l, "] ") end print()
for l in io.lines(name, "L") do io.write(l == "tail" and "T" or #l, " ") end print()
for a, b in io.lines(name, 1, 2) do io.write(a, "|", b, " ") end print()
for c in io.lines(name, 4) do io.write("<", c, ">") end print()
f = assert(io.open(name))
for l in f:lines() do if l == "" then break end io.write(l, ";") end print()
print(1, f:read("l"))
for x, y, z in f:lines("n", "n", "n") do print(2, x, y, z) break end
print(3, f:read("n", "n", "n"))
print(4, f:read("l"), f:read("a"))
for l in f:lines() do print("never", l) end
print(5, io.type(f))
f:close()
print(6, pcall(f.lines, f))
print(7, pcall(io.lines, "no_such_file.txt"))
print(8, pcall(f.lines, f))
print(9, select("#", io.lines(name)))
local iter, _, _, file = io.lines(name)
print(10, io.type(file), iter(), iter())
file:close()
print(11, pcall(iter))
do
  local total = 0
  for l in io.lines(name, "n") do total = total + 1 break end
  print(12, total)
end
local cnt = 0
for a in io.lines(name, "a") do cnt = cnt + 1 if cnt > 3 then break end end
print(13, cnt)
print(14, select("#", io.lines(name, "x")), type(io.lines(name, "x")))
local ok, err = pcall(function() for l in io.lines(name, "x") do end end)
print(15, ok, err)
os.remove(name)
