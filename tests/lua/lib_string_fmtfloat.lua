-- string.format float conversions: %e %E %f %g %G %a %A
local vals = {0.0, -0.0, 1.0, -1.5, 0.1, 1/3, 2.5, 3.5, 123456.789, 1e-5, 1e15, 1e16, 1e100, -1e-300,
              2^53, 2^-1074, 1.7976931348623157e308, 1/0, -1/0, 42}
local specs = {"%e", "%E", "%.0e", "%#.0e", "%.3e", "%12.4e", "%-12.2e|", "%+e", "% e", "%012.3e",
               "%f", "%.0f", "%#.0f", "%.2f", "%10.3f", "%-10.1f|", "%+.1f", "%010.2f",
               "%g", "%G", "%.0g", "%.1g", "%.3g", "%#g", "%#.3g", "%10.4g", "%-10g|", "%+g", "%.17g", "%.20g",
               "%a", "%A", "%.0a", "%.1a", "%.3a", "%#a", "%+a", "% a", "%20a", "%-20a|", "%020a", "%.20a"}
for _, spec in ipairs(specs) do
  local out = {}
  for _, v in ipairs(vals) do
    local s = string.format(spec, v)
    if #s > 40 then s = #s .. ":" .. s:sub(1, 12) .. ".." .. s:sub(-12) end
    out[#out + 1] = s
  end
  print(spec, table.concat(out, " "))
end

-- exact decimal expansions and rounding (ties to even on the exact binary value)
print(string.format("%.0f %.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, 3.5, -0.5))
print(string.format("%.1f %.1f %.1f %.2f %.2f", 0.25, 0.35, 0.05, 1.005, 1.125))
print(string.format("%.3e %.3e", 1.0005, 1.00050000001))
print(string.format("%.99f", 0.1):sub(1, 60))
print(#string.format("%.99f", -1.7976931348623157e308), #string.format("%99.99f", 1))
print(string.format("%.30g", 0.1), string.format("%.50e", 2^-1074):sub(1, 30))
print(string.format("%a %a %a", 0.5, 1.03125, 0x1.fffffffffffffp0))
print(string.format("%.1a %.1a %.1a %.0a %.0a %.0a", 1.03125, 1.09375, 1.15625, 1.5, 2.5, 3.5))
print(string.format("%.2a %.12a %.13a %.14a", 0x1.fffp0, 0x1.fffffffffffffp0, 1.1, 1.1))
print(string.format("%a %A %.3a", 2^-1074, 2^-1030, 2^-1073 * 3))

-- NaN prints with its sign as glibc does; only test the unsigned part
local nan = string.format("%f", 0/0):gsub("-", "")
print(nan, string.format("%5.1f|%-6e|%G", 1/0, -1/0, 1/0))
print(string.format("%010f|%-010f|%+f", 1/0, -1/0, 1/0))

-- integers are accepted by float conversions, numeric strings too
print(string.format("%.2f %e %g %a", 3, "2.5", "0x10", 1))

local function try(...)
  print(pcall(string.format, ...))
end
try("%f", "x")
try("%e", {})
try("%g")
try("%.123f", 1)
try("%123f", 1)
try("%.f", 1)
try("%F", 1)
try("%Lf", 1)
try("%#5.2a", 1)
try("%'d", 1)
