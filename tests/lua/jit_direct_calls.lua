-- Calls between compiled functions (direct calls through the code table):
-- argument and result count adjustments, deep recursion past the native
-- depth bound, stack growth inside a call, errors and tracebacks.

local function none() end
local function one(a) return a end
local function two(a, b) return a, b end
local function many(...) return ... end

-- Missing and extra arguments.
print(1, one(), one(1, 2, 3), two(1))
-- Wanted counts: 0, 1, 2, all.
one(5)
local x = one(6, 7)
local p, q = one(8)
print(2, x, p, q)
print(3, one(9), (two(10, 11)))
print(4, two(12, 13))
print(5, select("#", none()), select("#", one()), select("#", many(1, nil, nil)))
local t = {one(14), two(15, 16)}
print(6, #t, t[1], t[2], t[3])

-- Recursion deeper than the native bound (200): the deep part runs
-- interpreted and hands results back.
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(7, depth(150), depth(5000), depth(20000))

-- Mutual recursion with growing frames (stack growth inside a call).
local is_odd
local function is_even(n, ...)
  if n == 0 then return true end
  local a, b, c, d, e, f, g, h = n, n, n, n, n, n, n, n
  return is_odd(n - 1, a, b, c, d, e, f, g, h)
end
function is_odd(n, ...)
  if n == 0 then return false end
  local r = is_even(n - 1, ...)
  return r
end
print(8, is_even(3000), is_odd(3001), is_even(7))

-- A function loaded mid-run is called directly.
local g = load("local a, b = ... return a * b, a + b")
print(9, g(6, 7))

-- Errors inside a callee: caught, with the callee's position.
local function bad(v) return v.field end
local function via(v) local r = bad(v) return r end
print(10, pcall(via, nil))
print(11, pcall(via, {field = "ok"}))

-- Endless recursion ends in Lua's stack overflow, catchable.
local function forever(n) return 1 + forever(n + 1) end
local ok, msg = pcall(forever, 1)
print(12, ok, (string.gsub(msg, "^.-:%d+: ", "")))

-- Calls of non-functions and of natives from compiled code.
local ok2, msg2 = pcall(function() local n = nil; n() end)
print(13, ok2, msg2)
print(14, math.max(one(3), 4), select(2, two("a", "b")))
local callable = setmetatable({}, {__call = function(self, a) return a * 2 end})
print(15, callable(21))

-- Uncaught error: traceback through compiled frames.
local function inner() error("boom") end
local function outer() inner() return 1 end
outer()
