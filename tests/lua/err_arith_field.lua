-- uncaught: arithmetic on a nil field, via upvalue function
local t = {count = 1}
local function bump()
  t.total = t.total + t.count
end
bump()
