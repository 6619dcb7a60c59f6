-- uncaught: index a nil local
local config = nil
print("before")
print(config.value)
print("not reached")
