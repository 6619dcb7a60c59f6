-- a module returning a table; records its arguments
local name, file = ...
mod_a_loads = (mod_a_loads or 0) + 1
return {name = name, file = file, value = 42}
