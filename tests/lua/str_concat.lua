-- Concatenation, number formatting in strings, #, right associativity
print(1, "a" .. "b" .. "c", 1 .. 2, 1.0 .. "", -1 .. "")
print(2, 1e100 .. "", 1e15 .. "", 1e16 .. "", 123456789012345 .. "")
print(3, 0.1 .. "", (1/3) .. "", 100.0 .. "", -0.0 .. "", 2^63 .. "")
print(4, math.maxinteger .. "", math.mininteger .. "", 3.14159265358979 .. "")
print(5, 1e-5 .. "", 1e-4 .. "", 123.456e10 .. "", 5e-324 .. "")
print(6, (0/0 .. ""):sub(-3), math.huge .. "", -math.huge .. "")
print(7, #"", #"abc", #"\0\0\0", #("x"):rep(1000), #("ab" .. "cd"))
local s = "x"
for i = 1, 10 do s = s .. s end
print(8, #s)
print(9, "a" .. ("b" .. "c") == ("a" .. "b") .. "c")
-- right associativity observable through __concat.
-- NOTE: lua5.4.4 has a bug: if the Lua stack is reallocated while a __concat
-- metamethod of a 3+-operand concatenation runs, the result is wrong (a plain
-- string). Pre-grow the stack so the reference output is the correct one.
local function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end
deep(300)
local mt = {}
mt.__concat = function(a, b)
  local x = type(a) == "table" and a.v or a
  local y = type(b) == "table" and b.v or b
  return setmetatable({v = "(" .. x .. "+" .. y .. ")"}, mt)
end
local A = setmetatable({v = "A"}, mt)
print(10, ("x" .. "y" .. A).v)
print(11, (A .. "x" .. "y").v)
print(12, ("x" .. A .. "y").v)
print(13, (A .. A .. A).v)
print(14, pcall(function() return "a" .. {} end))
print(15, pcall(function() return "a" .. nil end))
print(16, pcall(function() local t = {} return t .. "a" end))
print(17, pcall(function() return 1 .. true end))
print(18, "tab\there", "nl\\n", "quote\"s", 'apos\'s')
print(19, ("abc"):len(), ("abc").len ~= nil, #"héllo")
local parts = {}
for i = 1, 10 do parts[#parts + 1] = i .. "" end
print(20, table.concat(parts), table.concat(parts, ", "), table.concat(parts, "-", 3, 5))
print(21, table.concat({}), table.concat({1, 2.5, "x"}, "|"), table.concat({"a"}, ",", 1, 0))
print(22, pcall(table.concat, {1, {}, 3}))
print(23, pcall(table.concat, {1, 2}, ",", 1, 3))
print(24, 10 .. 20 .. 30, 1 .. "" == "1", 1.5 .. "|" .. 2)
local n = 0
local big = {}
for i = 1, 1000 do big[i] = string.char(65 + i % 26) end
local joined = table.concat(big)
print(25, #joined, joined:sub(1, 30), joined:sub(-5))
print(26, "" .. "", ("" .. ""):len(), "a" .. "" .. "b")
print(27, 2^53 .. "", 2^24 .. "", -2^63 .. "", 1e14 .. "")
print(28, 255 .. "" .. 0x10, 1e2 .. "", 12.5e-1 .. "")
