-- string.len, sub, upper, lower, rep, reverse, byte, char and method syntax
local function show(...)
  local t = table.pack(...)
  local parts = {}
  for i = 1, t.n do parts[#parts + 1] = tostring(t[i]) end
  print(t.n, table.concat(parts, ","))
end

print(string.len(""), string.len("abc"), #"hello", ("x"):len(), string.len("a\0b"))
print(string.len(123), string.len(1.5))

local s = "hello world"
for _, ij in ipairs({{1, 5}, {-5, -1}, {0, 3}, {3, 0}, {-100, 2}, {7, 100}, {5, 5}, {6, 5},
                     {-3, nil}, {12, nil}, {math.mininteger, math.maxinteger}, {math.maxinteger, -1}}) do
  print(ij[1], ij[2], "[" .. s:sub(ij[1], ij[2]) .. "]")
end
print(("abc"):sub(2), ("abc"):sub(-1), ("abc"):sub(4), ("abc"):sub(2.0, 3.0), ("abc"):sub("2"))

print(string.upper("Hello, World! 123 \xe9"), string.lower("Hello, World! ABC \xc9"))
print(("MiXeD"):upper(), ("MiXeD"):lower())

print(string.rep("ab", 3), string.rep("ab", 3, ","), string.rep("x", 0), string.rep("x", -5), string.rep("", 100))
print(string.rep("ab", 1, "SEP"), string.rep("", 3, "-"), ("z"):rep(5), string.rep(7, 2))
print(#string.rep("abc", 1000, "de"))

print(string.reverse("abc"), string.reverse(""), ("racecar"):reverse(), ("a\0b"):reverse() == "b\0a")

show(string.byte("ABC"))
show(string.byte("ABC", 2))
show(string.byte("ABC", 1, -1))
show(string.byte("ABC", -2, -1))
show(string.byte("ABC", 10))
show(string.byte("ABC", 0))
show(string.byte("ABC", 3, 1))
show(string.byte("", 1))
show(string.byte("\0\255", 1, 2))
show(("hello"):byte(-100, 100))

print(string.char(), string.char(72, 105), string.char(0):len(), string.char(255):byte())
print(string.char(104, 101, 108, 108, 111) == "hello")

-- every byte round-trips
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
local allbytes = table.concat(all)
print(#allbytes, allbytes:byte(1), allbytes:byte(256), allbytes:byte(129))
local ok = true
for i = 1, 256 do if allbytes:byte(i) ~= i - 1 then ok = false end end
print("roundtrip", ok)
print(allbytes:upper():sub(98, 123), allbytes:lower():sub(66, 91))

-- string methods through the metatable
local mt = getmetatable("")
print(type(mt), mt.__index == string, rawequal(mt.__index, string))
print(("%d items"):format(3), ("abc"):find("b"), ("x"):rep(3))
local n = 42
print(("n=" .. n):upper())
