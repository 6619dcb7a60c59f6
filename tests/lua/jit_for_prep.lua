-- Numeric for loops set up by compiled code: integer loops of every
-- direction and step, empty loops, overflow at the limits, float loops
-- and the errors of FORPREP.
local function count(a, b, c)
  local n, last = 0, nil
  if c then
    for i = a, b, c do n = n + 1; last = i end
  else
    for i = a, b do n = n + 1; last = i end
  end
  return n, last
end
print(count(1, 10))
print(count(1, 10, 3))
print(count(10, 1))
print(count(10, 1, -3))
print(count(5, 5))
print(count(5, 4))
print(count(math.maxinteger - 2, math.maxinteger))
print(count(math.mininteger, math.mininteger + 2))
print(count(math.mininteger + 2, math.mininteger, -1))
print(count(1, math.maxinteger, math.maxinteger))
print(count(0, 7, 2))
print(count(1, 3.5))
print(count(1, -math.huge))
print(count(1, math.huge, math.tointeger(2^62)))
print(count(1.0, 3))
print(count(1, 2, 0.5))
print(count(3, 1, -0.75))
print(pcall(count, "1", 2))

-- the loop variable is a copy: assigning to it does not change the loop
local seen = {}
for i = 1, 3 do seen[#seen + 1] = i; i = i * 10 end
print(table.concat(seen, ","))

for _, bad in ipairs({{1, 2, 0}, {1.0, 2, 0.0}, {"x", 2, 1}, {1, {}, 1}, {1, 2, "s"}}) do
  local ok, err = pcall(count, bad[1], bad[2], bad[3])
  print(ok, err)
end
