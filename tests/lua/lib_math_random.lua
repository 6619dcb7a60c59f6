-- math.random with fixed seeds (xoshiro256** in 5.4: sequences are deterministic)
math.randomseed(42)
local t = {}
for i = 1, 10 do t[i] = math.random(1, 100) end
print(1, table.concat(t, " "))
math.randomseed(42)
local again = {}
for i = 1, 10 do again[i] = math.random(1, 100) end
print(2, table.concat(again, " ") == table.concat(t, " "))
math.randomseed(7)
local f = math.random()
print(3, f >= 0 and f < 1, math.type(f), string.format("%.10f", f))
print(4, math.random(10), math.random(5, 6), math.random(-3, -1), math.type(math.random(3)))
print(5, math.random(0) ~= nil, math.type(math.random(0)))
print(6, pcall(math.random, 2, 1))
print(7, pcall(math.random, 1, 2, 3))
print(8, math.random(math.mininteger, math.maxinteger) ~= nil, math.random(3, 3))
math.randomseed(123, 456)
local u = {}
for i = 1, 5 do u[i] = math.random(1000) end
print(9, table.concat(u, " "))
math.randomseed(0)
local s = 0
for i = 1, 1000 do s = s + math.random(6) end
print(10, s)
print(11, pcall(math.randomseed, 1.5))
math.randomseed(2.0)
print(110, math.random(100))
-- distribution sanity: all faces appear
math.randomseed(99)
local seen = {}
for i = 1, 600 do seen[math.random(6)] = true end
print(12, #seen)
