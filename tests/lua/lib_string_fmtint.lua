-- string.format integer and character conversions: %d %i %u %o %x %X %c
local vals = {0, 1, -1, 7, -42, 255, 3735928559, math.maxinteger, math.mininteger, 3.0, "12", "0x10"}
local specs = {"%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+05d", "%.3d", "%8.3d", "%-8.3d|",
               "%.0d", "%u", "%o", "%#o", "%x", "%#x", "%X", "%#X", "%08x", "%#08x", "%-#8x|",
               "%.5x", "%#.5o", "%5.0x", "%+.0d", "%99d"}
for _, spec in ipairs(specs) do
  local out = {}
  for _, v in ipairs(vals) do
    local s = string.format(spec, v)
    if #s > 30 then s = #s .. ":" .. s:sub(-20) end
    out[#out + 1] = "[" .. s .. "]"
  end
  print(spec, table.concat(out, " "))
end

print(string.format("%c%c%c", 76, 117, 97), string.format("%5c|%-5c|%c", 65, 66, 67))
print(#string.format("%c", 0), string.format("%c", 256 + 65), string.format("%c", -191))
print(string.format("%d%%", 50), string.format("%%d"), string.format("a%%b%%c"))
print(string.format("%d %d %d", 1, 2, 3), string.format("%x-%X-%o", 48879, 48879, 48879))
print(string.format("%i", -0), string.format("%d", 2^53), string.format("%d", -2^63))

local function try(...)
  print(pcall(string.format, ...))
end
try("%d", 1.5)
try("%d", "1.5")
try("%d", "abc")
try("%d", {})
try("%d", nil)
try("%d")
try("%x", 2^64)
try("%c", "A")
try("%#d", 1)
try("% x", 1)
try("%+u", 1)
try("%05c", 65)
try("%.3c", 65)
try("%100d", 1)
try("%.100d", 1)
try("%1.2.3d", 1)
try("%ld", 1)
try("%lld", 1)
try("%hd", 1)
try("%n", 1)
try("%", 1)
try("%5", 1)
try("%-", 1)
try("%0-5d", 1)
try("%-05d", 1)
try("%------------------d", 1)
