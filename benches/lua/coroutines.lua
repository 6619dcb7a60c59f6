-- Benchmark: coroutine switches and closures (generator pipeline).
local N = tonumber(arg and arg[1]) or 1000000
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i) end
  end)
end
local function mapc(f, g)
  return coroutine.wrap(function()
    for v in g do coroutine.yield(f(v)) end
  end)
end
local function filterc(p, g)
  return coroutine.wrap(function()
    for v in g do if p(v) then coroutine.yield(v) end end
  end)
end
local sum, count = 0, 0
for v in filterc(function(x) return x % 3 ~= 0 end, mapc(function(x) return x * 2 + 1 end, gen(N))) do
  sum = (sum + v) % 1000000007
  count = count + 1
end
-- closure-heavy accumulation
local function compose(f, g) return function(x) return f(g(x)) end end
local inc = function(x) return x + 1 end
local dbl = function(x) return (x * 2) % 1000003 end
local h = compose(inc, compose(dbl, inc))
local acc = 0
for i = 1, N do acc = h(acc + i) end
local check = sum .. " " .. count .. " " .. acc
if N == 1000000 then assert(check == "667328670 666666 750003", "coroutines checksum mismatch: " .. check) end
print("coroutines " .. N .. ": " .. check)
