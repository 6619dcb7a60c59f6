-- os.date with fixed times (UTC), every C-locale conversion
local t0 = 0
local t1 = 1700000000          -- 2023-11-14 22:13:20 UTC, a Tuesday
local t2 = 951782400           -- 2000-02-29 00:00:00 UTC (leap day)
local t3 = 1609459199          -- 2020-12-31 23:59:59 UTC
local t4 = -86400 * 365        -- 1969-01-01
local convs = {"a", "A", "b", "B", "c", "C", "d", "D", "e", "F", "g", "G", "h", "H", "I", "j",
  "m", "M", "n", "p", "r", "R", "S", "t", "T", "u", "U", "V", "w", "W", "x", "X", "y", "Y", "z", "%"}
for _, t in ipairs({t0, t1, t2, t3, t4}) do
  local out = {}
  for i, c in ipairs(convs) do out[i] = c .. "=" .. os.date("!%" .. c, t) end
  print(t, table.concat(out, "|"))
end
print(1, os.date("!%Y-%m-%dT%H:%M:%S", t1))
print(2, os.date("!%Ec|%EC|%Ex|%EX|%Ey|%EY", t1))
print(3, os.date("!%Od|%Oe|%OH|%OI|%Om|%OM|%OS|%Ou|%OU|%OV|%Ow|%OW|%Oy", t1))
print(4, os.date("!plain text", t1), os.date("!", t1) == "")
print(5, pcall(os.date, "!%Q", t1))
print(6, pcall(os.date, "%Ez", t1))
print(7, pcall(os.date, "%", t1))
print(8, pcall(os.date, "!%5d", t1))
print(9, pcall(os.date, "!%Y", "x"))
print(10, pcall(os.date, "!%Y", 1.5))
print(11, os.date("!%Y", "86400"), os.date("!%d", 86400.0))
-- ISO week edge cases
for _, d in ipairs({
  {2004, 12, 31}, {2005, 1, 1}, {2005, 1, 2}, {2005, 1, 3}, {2008, 12, 29}, {2009, 12, 31},
  {2010, 1, 3}, {2010, 1, 4}, {2021, 1, 1}, {2026, 12, 31}, {1999, 1, 1}, {2000, 1, 1}}) do
  local t = os.time({year = d[1], month = d[2], day = d[3], hour = 12})
  io.write(os.date("!%F %a %G-W%V-%u %g %U %W %j", t), "\n")
end
print(12, os.date("!%c", 253402300799))
print(13, os.date("!%Y-%m-%d", -62135596800))
print(14, os.date("!%Y %C %y", -62198755200))
