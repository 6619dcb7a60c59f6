-- os.date("*t") / os.date("!*t") fields
local function fields(t)
  return table.concat({t.year, t.month, t.day, t.hour, t.min, t.sec, t.yday, t.wday, tostring(t.isdst)}, " ")
end
print(1, fields(os.date("!*t", 0)))
print(2, fields(os.date("!*t", 1700000000)))
print(3, fields(os.date("!*t", 951782400)))
print(4, fields(os.date("!*t", -1)))
print(5, fields(os.date("!*t", 4102444800)))
local n = 0
for k in pairs(os.date("!*t", 0)) do n = n + 1 end
print(6, n)
local now = os.date("*t")
print(7, type(now.year), type(now.isdst), now.month >= 1 and now.month <= 12)
print(8, math.type(os.time()), os.time() > 1600000000)
print(9, os.date("!*t", 86399).hour, os.date("!*t", 86400).day)
print(10, pcall(os.date, "*t", 2^60))
print(11, pcall(os.date, "!*t", math.maxinteger))
print(12, os.date("!*t", -62135596800).year, os.date("!*t", -62135596800).wday)
