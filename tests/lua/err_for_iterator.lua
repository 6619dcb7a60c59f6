-- uncaught: pairs(nil) reported inside the generic for
local config
for k, v in pairs(config) do print(k, v) end
