-- uncaught: runtime error inside an __index metamethod
local proxy = setmetatable({}, {
  __index = function(t, k)
    local backing = nil
    return backing[k]
  end,
})
print("start")
print(proxy.name)
