-- Integer keys outside the array part (hash nodes) and constant stored
-- values: compiled code reads and updates existing nodes inline, inserts
-- through the interpreter, and must respect __index/__newindex exactly.
local function scatter(i) return (i * 2654435761) % 4294967296 end

local h = {}
for i = 1, 200 do h[scatter(i)] = i end              -- inserts
local hits = 0
for i = 1, 200 do if h[scatter(i)] == i then hits = hits + 1 end end
for i = 1, 200, 2 do h[scatter(i)] = nil end         -- existing nodes become nil
for i = 1, 200, 4 do h[scatter(i)] = true end        -- nil-valued nodes reused
local n = 0
for _ in pairs(h) do n = n + 1 end
print("hits", hits, "left", n, h[scatter(1)], h[scatter(3)], h[scatter(2)])

-- negative, zero and huge keys live in the hash part too
local odd = {}
for _, k in ipairs({0, -1, -math.tointeger(2^40), math.maxinteger, math.mininteger}) do odd[k] = k end
for _, k in ipairs({0, -1, -math.tointeger(2^40), math.maxinteger, math.mininteger, 7}) do
  io.write(tostring(odd[k]), " ")
end
print()

-- constant values stored by SETI/SETTABLE (the k operand)
local s = {}
for i = 1, 10 do s[i] = false end
for i = 1, 10 do s[i] = "x" end
s[3] = 2.5
s[20] = true
print(s[1], s[3], s[10], s[20], #s)

-- __newindex sees assignments to absent keys and to nil-valued nodes
local log = {}
local mt = {__newindex = function(t, k, v) log[#log + 1] = k .. "=" .. tostring(v); rawset(t, k, v) end}
local w = setmetatable({}, mt)
for i = 1, 3 do w[scatter(i)] = i end
w[scatter(1)] = nil                                  -- existing: plain store
w[scatter(1)] = "again"                              -- nil-valued node: metamethod
w[scatter(2)] = "over"                               -- existing value: plain store
table.sort(log)
print(#log, table.concat(log, " "))

-- __index sees reads of absent keys and of nil-valued nodes
local misses = 0
local r = setmetatable({[scatter(5)] = "five"}, {__index = function(t, k) misses = misses + 1; return k % 10 end})
print(r[scatter(5)], r[scatter(6)], r[-3])
r[scatter(5)] = nil
print(r[scatter(5)], misses)

-- __index tables and integer keys of every kind of table
local base = {[100] = "hundred", [math.tointeger(2^33)] = "big"}
local derived = setmetatable({}, {__index = base})
print(derived[100], derived[math.tointeger(2^33)], derived[101])

-- reading through non-tables still errors with the variable name
local ok, err = pcall(function() local notab = 5; return notab[scatter(1)] end)
print(ok, err)
ok, err = pcall(function() local notab; notab[scatter(1)] = 1 end)
print(ok, err)
