-- uncaught: error in main chunk closes pending <close> variables first
local log = setmetatable({}, {__close = function(_, e) print("closing with", e) end})
local x <close> = log
print("about to fail")
local n = nil
print(n.field)
