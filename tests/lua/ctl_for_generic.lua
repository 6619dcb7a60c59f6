-- Generic for: stateless and stateful iterators, closing value
local function range(n)
  local i = 0
  return function()
    i = i + 1
    if i <= n then return i end
  end
end
local out = {}
for i in range(5) do out[#out + 1] = i end
print(1, table.concat(out, ","))
-- stateless iterator with state and control
local function iter(s, c)
  if c < s then return c + 1, (c + 1) * (c + 1) end
end
out = {}
for i, sq in iter, 4, 0 do out[#out + 1] = i .. ":" .. sq end
print(2, table.concat(out, ","))
-- iterator returning more values than variables, fewer variables than values
out = {}
for a in function(_, c) if c < 3 then return c + 1, "extra" end end, nil, 0 do out[#out + 1] = a end
print(3, table.concat(out, ","))
-- more variables than values
for a, b, c in function(_, x) if not x then return 1 end end do print(4, a, b, c) end
-- control variable passed back to iterator
local seen = {}
for k in function(s, ctl) seen[#seen + 1] = tostring(ctl); if ctl == nil then return "a" elseif ctl == "a" then return "b" end end do end
print(5, table.concat(seen, ","))
-- closing value (4th value) is closed when the loop ends normally
local log = {}
local function closer(name)
  return setmetatable({}, {__close = function(_, err) log[#log + 1] = name .. ":" .. tostring(err) end})
end
local function iterWithClose(n)
  local i = 0
  return function() i = i + 1; if i <= n then return i end end, nil, nil, closer("c" .. n)
end
for i in iterWithClose(2) do log[#log + 1] = "body" .. i end
print(6, table.concat(log, " "))
-- ... and on break
log = {}
for i in iterWithClose(5) do
  log[#log + 1] = "body" .. i
  if i == 2 then break end
end
print(7, table.concat(log, " "))
-- ... and on return from the enclosing function
log = {}
local function findFirst()
  for i in iterWithClose(9) do
    if i == 3 then return i end
  end
end
print(8, findFirst(), table.concat(log, " "))
-- ... and on error
log = {}
local ok, err = pcall(function()
  for i in iterWithClose(4) do
    if i == 2 then error("boom", 0) end
  end
end)
print(9, ok, err, table.concat(log, " "))
-- closing value nil or false is fine
for i in range(1), nil, nil, nil do print(10, i) end
for i in range(1), nil, nil, false do print(11, i) end
-- non-closable closing value is an error
print(12, pcall(function() for i in range(1), nil, nil, {} do end end))
-- iterating with next explicitly and with a "values" iterator
local function values(t)
  local i = 0
  return function() i = i + 1; return t[i] end
end
out = {}
for v in values({"x", "y", "z"}) do out[#out + 1] = v end
print(13, table.concat(out))
-- calling a non-function iterator
print(14, pcall(function() for x in 42 do end end))
print(15, pcall(function() local t = {} for x in t do end end))
-- callable table as iterator
local callable = setmetatable({}, {__call = function(self, s, c) if c < 3 then return c + 1 end end})
out = {}
for i in callable, nil, 0 do out[#out + 1] = i end
print(16, table.concat(out, ","))
-- nested generic loops
local grid = {{1, 2}, {3, 4}, {5}}
local sum = 0
for _, row in ipairs(grid) do for _, v in ipairs(row) do sum = sum + v end end
print(17, sum)
-- modifying the loop variable does not affect the iteration
out = {}
for i, v in ipairs({10, 20, 30}) do out[#out + 1] = v; i = 100 end
print(18, table.concat(out, ","))
-- coroutine-based iterator
local function gen(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i, i * 2) end end)
end
out = {}
for a, b in gen(4) do out[#out + 1] = a + b end
print(19, table.concat(out, ","))
