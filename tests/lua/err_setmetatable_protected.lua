-- uncaught: changing a protected metatable
local obj = setmetatable({}, {__metatable = "no access"})
print(getmetatable(obj))
setmetatable(obj, {})
