-- math.random sequences are xoshiro256** exactly as in lua5.4
local function seq(seed, n, ...)
  math.randomseed(seed)
  local out = {}
  for i = 1, n do out[i] = tostring(math.random(...)) end
  return table.concat(out, " ")
end
print(1, seq(0, 8))
print(2, seq(42, 8))
print(3, seq(42, 10, 100))
print(4, seq(42, 10, 1, 6))
print(5, seq(-1, 6, 0))
print(6, seq(123456789, 6, -10, 10))
print(7, seq(7, 6, math.mininteger, math.maxinteger))
print(8, seq(7, 6, 3, 3))
print(9, seq(2^53, 5, 1000))
print(10, math.randomseed(99))
print(11, math.randomseed(5, 6))
print(12, seq(1, 5, 0))
math.randomseed(5, 6)
print(13, math.random(1, 10), math.random(1, 10), math.random())
math.randomseed(0)
local lo, hi, sum = 1, 0, 0
for i = 1, 1000 do
  local x = math.random()
  if x < lo then lo = x end
  if x > hi then hi = x end
  sum = sum + x
end
print(14, lo >= 0, hi < 1, sum)
math.randomseed(3)
local counts = {0, 0, 0, 0, 0, 0}
for i = 1, 600 do local d = math.random(6) counts[d] = counts[d] + 1 end
print(15, table.concat(counts, " "))
math.randomseed(11)
print(16, math.random(1, 2^40), math.random(-2^40, -1), math.random(0, 1))
math.randomseed(0)
local r1 = math.random(0)
math.randomseed(0)
print(17, r1 == math.random(0), math.type(r1))
print(18, seq(0, 3, 7, 2^31))
