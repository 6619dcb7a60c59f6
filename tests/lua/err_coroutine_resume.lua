-- error inside a coroutine is returned by resume; re-raising it uncaught
local co = coroutine.create(function(x)
  if x > 1 then error("too big: " .. x) end
  return x
end)
local ok, err = coroutine.resume(co, 5)
print(ok, err)
error(err, 0)
