-- pcall / xpcall / error: caught errors and return values
print(1, pcall(function() return 1, 2, 3 end))
print(2, pcall(function() error("msg") end))
print(3, pcall(function() error("msg", 0) end))
print(4, pcall(function() error("msg", 2) end))
print(5, pcall(error))
print(6, pcall(error, nil))
print(7, pcall(error, "direct"))
local ok, e = pcall(error, {code = 1})
print(8, ok, type(e), e.code)
ok, e = pcall(function() error({code = 2}) end)
print(9, ok, e.code)
print(10, pcall(function() error(42) end))
print(11, pcall(function() error(42.5, 1) end))
print(12, pcall(function() error(true) end))
print(13, select("#", pcall(function() end)))
print(14, pcall(pcall))
print(15, pcall(pcall, error, "x"))
-- nested pcall
print(16, pcall(function()
  local ok2, e2 = pcall(function() error("inner", 0) end)
  error("outer after " .. tostring(e2), 0)
end))
-- xpcall with handler
print(17, xpcall(function() error("bad", 0) end, function(m) return "handled: " .. m end))
print(18, xpcall(function() return "fine", 2 end, print))
print(19, xpcall(function(a, b) return a + b end, print, 3, 4))
-- handler receives the original error object
local obj = {}
print(20, xpcall(function() error(obj) end, function(m) return m == obj end))
-- handler returning several values: only the first is kept? (all returned)
print(21, xpcall(function() error("e", 0) end, function(m) return m, "second" end))
-- error inside the handler
local ok3, e3 = xpcall(function() error("first", 0) end, function(m) error("in handler") end)
print(22, ok3, type(e3))
-- runtime errors caught with position information
print(23, pcall(function() local x = nil; return x.y end))
print(24, pcall(function() return #nil end))
print(25, pcall(function() return nil .. "x" end))
-- error with a position level pointing to a C function gives no position
print(26, pcall(function() error("lvl3", 3) end))
-- assert variants
print(27, pcall(assert, false))
print(28, pcall(assert, nil, "msg"))
local t = {}
ok, e = pcall(assert, false, t)
print(29, ok, e == t)
print(30, pcall(assert, 1, 2, 3))
print(31, pcall(assert))
print(32, pcall(assert, false, nil))
-- error messages with the function name of a field
local lib = {}
function lib.check(x) if not x then error("check failed") end end
print(33, pcall(lib.check, false))
-- pcall returns false + message for calling non-functions
print(34, pcall(42))
print(35, pcall(nil))
-- traceback-ish handler without addresses: count levels via error positions
local function lvl3() error("deep") end
local function lvl2() lvl3() end
local function lvl1() lvl2() end
print(36, xpcall(lvl1, function(m) return "H:" .. m end))
-- errors in __tostring during error reporting are independent
print(37, pcall(tostring, setmetatable({}, {__tostring = function() error("ts err", 0) end})))
-- error with a number message gets position prepended? (only strings)
print(38, pcall(function() error(7) end))
print(39, pcall(function() error("7") end))
