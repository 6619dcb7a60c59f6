-- The shared string metatable: adding methods, __index function, arithmetic
local smt = getmetatable("")
print(1, getmetatable("a") == getmetatable("b"), smt.__index == string)
-- add a method to the string table: visible through every string
function string.shout(s) return s .. "!" end
print(2, ("hey"):shout(), ("x"):shout():shout())
-- string methods are looked up through __index = string
string.twice = function(s) return s:rep(2) end
local s = "ab"
print(3, s:twice(), s.twice == string.twice)
-- replace __index by a function (restored afterwards)
local oldIndex = smt.__index
smt.__index = function(str, k)
  if type(k) == "number" then return string.sub(str, k, k) end
  return oldIndex[k]
end
print(4, ("hello")[1], ("hello")[5], ("hello")[9], ("hello"):len())
smt.__index = oldIndex
print(5, ("hello")[1])
-- string arithmetic metamethods live in the string metatable
print(6, type(smt.__add), type(smt.__unm), type(smt.__concat), type(smt.__band))
print(7, "10" + 5, "3" * "4", 2 ^ "3", "7" // 2, -"2")
-- the metamethod is only reached for non-numeric-convertible strings
print(8, pcall(function() return "ten" + 1 end))
-- overriding __add on the string metatable changes string arithmetic
local oldAdd = smt.__add
smt.__add = function(a, b) return "added(" .. tostring(a) .. "," .. tostring(b) .. ")" end
print(9, "1" + 2, 1 + "x", "a" + "b")
smt.__add = oldAdd
print(10, "1" + 2)
-- __len is not consulted for strings
smt.__len = function() return 99 end
print(11, #"abc")
smt.__len = nil
-- comparisons of strings never use metamethods
smt.__lt = function() return "never" end
print(12, "a" < "b", "b" < "a")
smt.__lt = nil
-- __concat on the string metatable is not used for string..string
smt.__concat = function() return "meta" end
print(13, "a" .. "b", pcall(function() return "a" .. {} end))
smt.__concat = nil
-- method call on a number fails: numbers have no metatable
print(14, pcall(function() local n = 5; return n:rep(2) end))
