-- arithmetic on strings through the string metatable (lstrlib's stringmetamethods)
print("10" + 1, "10" - 1, "10" * 2, "10" / 4, "10" % 3, "2" ^ 10, "7" // 2, -"3")
print("1.5" + 1, "0x10" + 0, " 5 " * 2, "1e2" - 0, 10 - "2.5", 3 * "4", "10" + "20")
print(math.type("10" + 1), math.type("10" + 1.0), math.type("1.0" + 1), math.type("10" // "3"))
print("-0" + 0, -"-0", "  0x7fffffffffffffff " + 1, "9223372036854775808" + 0)
print("7" % "-3", "-7" % "3", "7.5" % 2, "5" // "0.0", "-5" // "0.0", "0" / "0" ~= "0" / "0")
print(("5"):len() + "5", #"10" + "10")
local s = "3"
s = s + s
print(s, math.type(s))

-- a table with a metamethod on the right is consulted
local mt = {__add = function(a, b) return "mt-add(" .. tostring(a) .. ")" end,
            __unm = function(a) return "mt-unm" end,
            __idiv = function(a, b) return "mt-idiv" end}
local obj = setmetatable({}, mt)
print("abc" + obj, "10" + obj, "x" // obj)

local function try(f)
  local ok, err = pcall(f)
  print(ok, err)
end
try(function() return "abc" + 1 end)
try(function() return 1 + "abc" end)
try(function() return "abc" + "1" end)
try(function() return "abc" + {} end)
try(function() return {} + "abc" end)
try(function() return "1" + {} end)
try(function() return "abc" * nil end)
try(function() return "abc" - true end)
try(function() return -"x" end)
try(function() return "10" // "0" end)
try(function() return "10" % "0" end)
try(function() return "a" ^ 2 end)
try(function() return "1" / "x" end)
try(function() return "1" // print end)
try(function() return "1\0" + 1 end)
try(function() return "" + 1 end)
-- bitwise operators do not use the string metatable: strings are errors
try(function() return "3" | 4 end)
try(function() return 1 & "0x0f" end)
try(function() return ~"0" end)
-- concatenation and comparison are unaffected
print("10" .. 1, "10" < "9", pcall(function() return "10" < 9 end))
-- an uncaught error raised inside the metamethod
local function compute(x) return x * 2 end
print(compute("21"))
print(compute("twenty-one"))
