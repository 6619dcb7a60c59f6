-- the global 'arg' table and main-chunk varargs (see arg_basic.args)
print(1, type(arg), arg[0], #arg)
for i = 1, #arg do print(2, i, arg[i], type(arg[i])) end
print(3, type(arg[-1]))   -- the interpreter name: differs between lua5.4 and slotjit
print(4, select("#", ...))
local a, b, c = ...
print(5, a, b, c)
local t = {...}
print(6, #t, t[#t])
print(7, arg[1] == a, arg[#arg] == select(select("#", ...), ...))
print(8, tonumber(arg[2]) + 1, math.type(tonumber(arg[2])))
-- arg is an ordinary table
arg[1] = "changed"
print(9, arg[1], a)
print(10, arg[100], rawlen(arg))
