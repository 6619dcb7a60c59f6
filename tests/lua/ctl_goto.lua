-- goto and labels
-- continue pattern
local out = {}
for i = 1, 10 do
  if i % 3 == 0 then goto continue end
  out[#out + 1] = i
  ::continue::
end
print(1, table.concat(out, ","))
-- backward goto as a loop
local n = 0
::top::
n = n + 1
if n < 5 then goto top end
print(2, n)
-- break out of nested loops
local found
for i = 1, 10 do
  for j = 1, 10 do
    if i * j == 42 then found = i .. "x" .. j; goto done end
  end
end
::done::
print(3, found)
-- goto in while with continue
local i = 0
local evens = {}
while i < 10 do
  i = i + 1
  if i % 2 == 1 then goto cont end
  evens[#evens + 1] = i
  ::cont::
end
print(4, table.concat(evens, ","))
-- goto in repeat: the label at the end of the block, before until
local k = 0
local odds = {}
repeat
  k = k + 1
  if k % 2 == 0 then goto next end
  odds[#odds + 1] = k
  ::next::
until k >= 9
print(5, table.concat(odds, ","))
-- each backward-goto iteration creates a fresh local for closures
local fns = {}
do
  local c = 0
  ::again::
  local v = c
  fns[#fns + 1] = function() return v end
  c = c + 1
  if c < 3 then goto again end
end
print(6, fns[1](), fns[2](), fns[3]())
-- labels in nested blocks with the same name
do
  goto a
  print("skipped")
  ::a::
  print(7, "outer a")
end
do
  ::a::
  print(8, "second block a")
end
-- goto skipping to end of function
local function f(x)
  if x then goto out end
  do return "not jumped" end
  ::out::
  return "jumped"
end
print(9, f(true), f(false))
-- state machine with gotos
local function machine(input)
  local pos, trace = 1, {}
  ::state_a::
  trace[#trace + 1] = "A"
  if pos > #input then goto finish end
  pos = pos + 1
  if input:sub(pos - 1, pos - 1) == "b" then goto state_b end
  goto state_a
  ::state_b::
  trace[#trace + 1] = "B"
  if pos > #input then goto finish end
  pos = pos + 1
  goto state_a
  ::finish::
  return table.concat(trace)
end
print(10, machine("aabxa"), machine(""), machine("bb"))
-- label at end of block followed by nothing; void statements
for j = 1, 3 do
  do goto skip end
  ::skip::
end
print(11, "ok")
-- goto out of a block closes <close> variables
local log = {}
do
  local x <close> = setmetatable({}, {__close = function() log[#log + 1] = "closed" end})
  goto out
end
::out::
print(12, table.concat(log))
