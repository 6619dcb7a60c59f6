-- if/elseif/else, while, repeat-until (incl. scope of locals in until), break
local function classify(n)
  if n < 0 then return "neg"
  elseif n == 0 then return "zero"
  elseif n < 10 then return "small"
  else return "big" end
end
print(1, classify(-5), classify(0), classify(3), classify(42))
-- truthiness
local vals = {0, "", false, nil, {}, "false"}
local out = {}
for i = 1, 6 do
  if vals[i] then out[#out + 1] = "T" else out[#out + 1] = "F" end
end
print(2, table.concat(out))
-- nested if without else
local x = 5
if x > 1 then if x > 3 then if x > 4 then print(3, "deep") end end end
-- while
local i, s = 0, 0
while i < 10 do i = i + 1; s = s + i end
print(4, i, s)
while false do print("never") end
-- while with break
i = 0
while true do
  i = i + 1
  if i >= 7 then break end
end
print(5, i)
-- repeat: body runs at least once; until sees body locals
local n = 0
repeat
  local done = n >= 3
  n = n + 1
until done
print(6, n)
repeat local y = 1 until true
print(7, "repeat once")
-- repeat with break
n = 0
repeat
  n = n + 1
  if n == 5 then break end
until false
print(8, n)
-- nested loops with break only exiting the inner one
local pairs_found = {}
for a = 1, 4 do
  for b = 1, 4 do
    if b > a then break end
    if (a + b) % 3 == 0 then pairs_found[#pairs_found + 1] = a .. b end
  end
end
print(9, table.concat(pairs_found, ","))
-- while condition evaluated each time
local calls = 0
local function cond() calls = calls + 1; return calls < 4 end
while cond() do end
print(10, calls)
-- and/or short-circuit in conditions
local evaluated = {}
local function mark(v, r) evaluated[#evaluated + 1] = v; return r end
if mark("a", false) and mark("b", true) then end
if mark("c", true) or mark("d", true) then end
if mark("e", nil) or mark("f", false) or mark("g", 1) then end
print(11, table.concat(evaluated))
-- closures capturing repeat-body locals see the per-iteration value
local fns = {}
local k = 0
repeat
  k = k + 1
  local kk = k
  fns[#fns + 1] = function() return kk end
until kk >= 3
print(12, fns[1](), fns[2](), fns[3]())
-- if with complex conditions
local a, b, c = 1, nil, "x"
print(13, (a and b) == nil, (a or b) == 1, (b or c) == "x", not b and c)
if not (a == 1 and c ~= "y") then print("wrong") else print(14, "ok") end
-- while with multiple exits
local found
local data = {3, 8, 12, 5, 20}
local idx = 1
while idx <= #data do
  if data[idx] > 10 then found = data[idx]; break end
  idx = idx + 1
end
print(15, found, idx)
-- empty statements and semicolons
;;; local z = 1; ; print(16, z);
do local z = 2; print(17, z) end
print(18, z)
