-- string.format %q and %s: literals that read back, __tostring, widths
local function q(v) return string.format("%q", v) end
print(q("hello"), q(""), q('say "hi"'), q("back\\slash"), q("line1\nline2"))
print(q("\0"), q("\0001"), q("\1\2\3"), q("\r\t\v\f\a\b"), q("\127"), q("tab\t9"))
print(q("\200\255") == '"\200\255"', q(string.char(31, 32, 33)))
print(q(0), q(-1), q(123456789), q(math.maxinteger), q(math.mininteger))
print(q(1.0), q(-0.0), q(0.1), q(1/3), q(1e100), q(-2^63), q(2^-1074), q(1.5))
print(q(1/0), q(-1/0), q(0/0))
print(q(nil), q(true), q(false))

-- every %q result loads back to the same value
local samples = {"", "a\0b", "\n\r\0\1\0019", string.rep("\255\0", 3), 0, -7, math.mininteger,
                 math.maxinteger, 0.5, -1e-300, 1/3, 2^63, 1/0, -1/0, true, false}
local same = 0
for _, v in ipairs(samples) do
  local back = load("return " .. q(v))()
  if back == v and math.type(back) == math.type(v) then same = same + 1 end
end
print("roundtrip", same, #samples)
print(load("return " .. q(0/0))() ~= load("return " .. q(0/0))())

-- %s uses tostring semantics
print(string.format("%s|%s|%s|%s|%s", "str", 12, 1.5, true, nil))
print(string.format("%s", setmetatable({}, {__tostring = function() return "custom" end})))
print(string.format("%s", setmetatable({}, {__tostring = function() return 42 end})))
print(string.format("%s", setmetatable({}, {__name = "MyType"})):match("^MyType: ") ~= nil)
print(string.format("%10s|%-10s|%.2s|%5.1s|%-5.3s|", "abc", "abc", "abc", "abc", "abc"))
print(string.format("%.0s|%.10s|%3s", "abc", "abc", "abcdef"))
print(string.format("%s", "a\0b") == "a\0b", #string.format("%s%s", "\0", "\0"))
print(#string.format("%s", string.rep("x", 500)), #string.format("%-5s", string.rep("x", 200)))
print(#string.format("%.99s", string.rep("x", 200)), #string.format("%99s", "x"))
print(string.format("%5s|%-5s|", 1, 2.5))

local function try(...)
  print(pcall(string.format, ...))
end
try("%q", {})
try("%q", print)
try("%q")
try("%5q", "x")
try("%-q", "x")
try("%.3q", 1)
try("%10s", "a\0b")
try("%s")
try("%05s", "x")
try("%#s", "x")
try("%+s", "x")
try("%100s", "x")
try("%s", setmetatable({}, {__tostring = function() return {} end}))
try("%s", setmetatable({}, {__tostring = function() error("boom") end}))
