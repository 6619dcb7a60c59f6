-- load, chunk environments, syntax errors as values
local f = load("return 1 + 2")
print(1, f())
print(2, load("syntax error here"))
print(3, load("return ...", "=chunkname")(7, 8))
local env = {x = 5}
local g = load("x = x + 1; return x", "envchunk", "t", env)
print(4, g(), env.x, x)
local parts = {"return ", "10", " * 2"}
local i = 0
print(5, load(function() i = i + 1; return parts[i] end)())
print(6, pcall(load("error('inside', 1)", "=mychunk")))
print(7, pcall(load("local t = nil; return t.x", "@virtual.lua")))
print(8, load("return [[\r\nline]]")():byte(1, -1))
print(9, #load("return [[a\r\nb\n\rc\r\rd]]")())
local fn, err = load("return +", "=(load)")
print(10, fn, err)
print(11, load("return _ENV")() == _G, load("return _ENV", "c", "t", env)() == env)
print(12, pcall(load, "return 1", "c", "b"))
local sumchunk = load("local a, b = ...; return a + b")
print(13, sumchunk(3, 4))
print(14, select("#", load("return")()))
print(15, load("return 0x10, 1e2, 'str'")())
print(16, dofile == nil, type(loadstring), type(require))
