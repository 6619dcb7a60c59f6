-- uncaught: compare number with nil inside nested calls
local function maxOf(t)
  local m = t[1]
  for i = 2, #t + 1 do
    if t[i] > m then m = t[i] end
  end
  return m
end
local function report(t) print("max", maxOf(t)) end
report({3, 9, 4})
