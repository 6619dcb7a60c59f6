-- Returns, truncation/adjustment, tail calls, recursion
local function none() end
local function one() return 1 end
local function many() return 1, 2, 3 end
print(1, none())
print(2, (none()))
print(3, select("#", none()), select("#", (none())))
print(4, many(), many())
print(5, ({many(), many()})[4] == nil, #{many(), many()})
print(6, one() + one(), many() + 10)
local s = "x" .. many()
print(7, s)
-- return of a parenthesized call is one value
local function p() return (many()) end
print(8, select("#", p()))
-- deep tail recursion must not overflow the stack
local function loop(n, acc)
  if n == 0 then return acc end
  return loop(n - 1, acc + 1)
end
print(9, loop(1000000, 0))
-- mutual tail recursion
local isodd
local function iseven(n) if n == 0 then return true end return isodd(n - 1) end
function isodd(n) if n == 0 then return false end return iseven(n - 1) end
print(10, iseven(100001), isodd(100001))
-- tail call through a method and through varargs
local obj = {n = 0}
function obj:count(k) if k == 0 then return self.n end self.n = self.n + 1 return self:count(k - 1) end
print(11, obj:count(300000))
local function vt(n, ...) if n == 0 then return select("#", ...) end return vt(n - 1, ...) end
print(12, vt(200000, 1, 2, 3))
-- tail call to a C function and to a callable table
local function tc() return select("#", 1, 2) end
print(13, tc())
local callable = setmetatable({}, {__call = function(self, a) return "called", a end})
local function tcall(x) return callable(x) end
print(14, tcall(9))
-- non-tail recursion of moderate depth
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(15, fact(20), fact(21), fact(25.0))
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(16, fib(20))
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(17, depth(10000))
-- ackermann (small)
local function ack(m, n)
  if m == 0 then return n + 1 end
  if n == 0 then return ack(m - 1, 1) end
  return ack(m - 1, ack(m, n - 1))
end
print(18, ack(2, 3), ack(3, 3))
-- returning many values through several levels
local function level3() return 1, 2, 3, 4, 5 end
local function level2() return level3() end
local function level1() return level2() end
print(19, level1())
-- extra arguments are dropped, missing ones are nil
local function two(a, b) return a, b end
print(20, two(1, 2, 3), two(1))
-- functions are first-class values
local ops = {add = function(a, b) return a + b end, mul = function(a, b) return a * b end}
print(21, ops.add(2, 3), ops["mul"](2, 3))
local function apply(f, ...) return f(...) end
print(22, apply(ops.add, 4, 5), apply(math.abs, -7), apply(select, "#", 1, 2))
-- return with semicolon and nothing after
local function semi() return; end
print(23, select("#", semi()))
-- calling through a string method name
local methods = {"len", "upper"}
print(24, ("abc")[methods[1]]("abc"))
-- call statements with string and table arguments
local function arg1(x) return type(x) end
print(25, arg1"str", arg1{1}, arg1[[long]])
-- chained calls
local function adder(a) return function(b) return function(c) return a + b + c end end end
print(26, adder(1)(2)(3))
-- recursive local function definition
local function rec(n) if n > 0 then return rec(n - 1) + n end return 0 end
print(27, rec(100))
