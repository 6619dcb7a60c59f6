-- stack overflow from infinite non-tail recursion, caught by pcall
local function inf(n) return 1 + inf(n + 1) end
local ok, msg = pcall(inf, 1)
print(1, ok, type(msg))
-- the message contains "stack overflow" somewhere; find it without string.find
local function contains(s, pat)
  for i = 1, #s - #pat + 1 do
    if s:sub(i, i + #pat - 1) == pat then return true end
  end
  return false
end
print(2, contains(msg, "stack overflow"))
print(3, msg:sub(1, 25))
-- the program continues normally afterwards, and can overflow again
local depth = 0
local function count() depth = depth + 1; count() end
ok = pcall(count)
print(4, ok, depth > 1000)
-- overflow through metamethods
local mt = {}
mt.__index = function(t, k) return t[k .. "x"] end
local ok2, m2 = pcall(function() return setmetatable({}, mt).a end)
print(5, ok2, contains(m2, "stack overflow") or contains(m2, "C stack overflow"))
-- deep but finite recursion still works after overflows
local function sum(n) if n == 0 then return 0 end return n + sum(n - 1) end
print(6, sum(5000))
-- overflow inside a coroutine is reported by resume
local co = coroutine.create(function() return inf(1) end)
local okc, mc = coroutine.resume(co)
print(7, okc, contains(mc, "stack overflow"), coroutine.status(co))
