-- uncaught: assert(false) with default message
local function checkAll(t)
  for i = 1, #t do assert(t[i]) end
end
checkAll({1, true, false})
