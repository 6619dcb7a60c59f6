-- uncaught: error raised in the main chunk after a coroutine failed, with the
-- coroutine's message re-raised through assert
local co = coroutine.create(function()
  local data = {}
  return data.items[1]
end)
assert(coroutine.resume(co))
