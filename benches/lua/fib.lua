-- Benchmark: recursive calls (naive Fibonacci).
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
local N = tonumber(arg and arg[1]) or 35
local r = fib(N)
if N == 35 then assert(r == 9227465, "fib checksum mismatch") end
print("fib(" .. N .. ") = " .. r)
