-- uncaught: an error inside a coroutine.wrap generator propagates to the caller
local gen = coroutine.wrap(function()
  coroutine.yield(1)
  local t = nil
  coroutine.yield(t.x)
end)
print(gen())
print(gen())
