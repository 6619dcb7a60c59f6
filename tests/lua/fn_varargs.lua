-- Varargs
local function count(...) return select("#", ...) end
print(1, count(), count(nil), count(nil, nil), count(1, nil, 3, nil))
local function pass(...) return ... end
print(2, pass(1, 2, 3))
print(3, pass(1, 2, 3), "end")
print(4, (pass(1, 2, 3)))
print(5, count(pass(1, nil, nil)))
local function mid(...) return ..., "last" end
print(6, mid(1, 2, 3))
local function pack(...) return {n = select("#", ...), ...} end
local p = pack(1, nil, 3, nil)
print(7, p.n, p[1], p[2], p[3], p[4])
print(8, select(2, "a", "b", "c"))
print(9, select(-1, "a", "b", "c"))
print(10, select(-3, "a", "b", "c"))
print(11, select(4, "a", "b", "c"))
print(12, pcall(select, 0, "a"))
print(13, pcall(select, -4, "a", "b", "c"))
print(14, select("#"), select(1))
local function fixed(a, b, ...)
  return a, b, select("#", ...)
end
print(15, fixed(1))
print(16, fixed(1, 2, 3, 4, 5))
-- varargs in table constructors and calls
local function tail(...) return {...}, {..., "x"}, {"x", ...} end
local t1, t2, t3 = tail(1, 2, 3)
print(17, #t1, #t2, #t3, t2[1], t2[2], t3[4])
-- nested vararg functions
local function outer(...)
  local a, b = ...
  local function inner(...) return select("#", ...), a, b end
  return inner(..., ...)
end
print(18, outer(1, 2, 3))
-- main-chunk varargs are the script arguments (none here)
print(19, select("#", ...))
-- vararg forwarding preserves trailing nils
local function wrap(...) return count(...) end
print(20, wrap(nil, nil, nil))
-- many arguments
local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + (select(i, ...)) end
  return s
end
print(21, sum(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
local many = {}
for i = 1, 200 do many[i] = i end
print(22, sum(table.unpack(many)), count(table.unpack(many)))
-- adjusting to exactly one value with parentheses
local function two() return 1, 2 end
local t = {two(), (two())}
print(23, #t, t[1], t[2], t[3])
-- varargs assigned to locals
local function assign(...)
  local a, b, c, d = ...
  return a, b, c, d
end
print(24, assign(1, 2))
print(25, assign(1, 2, 3, 4, 5))
-- ... in the middle of an argument list is truncated to one
print(26, count(pass(1, 2), pass(3, 4)))
-- string methods on varargs
local function up(...) local s = ... return s:len() end
print(27, up("hello", "x"))
-- select with negative index equal to count
print(28, select(-2, 1, 2))
-- select('#') ignores nothing
print(29, select("#", table.unpack({1, nil, 3}, 1, 3)))
print(30, pcall(select, "x"))
