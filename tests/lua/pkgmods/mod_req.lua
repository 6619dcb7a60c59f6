-- a module requiring another one
local a = require("mod_a")
return {inner = a.value + 1}
