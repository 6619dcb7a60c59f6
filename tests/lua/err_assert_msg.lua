-- uncaught: assert with message
local v = nil
assert(v, "value must not be nil")
