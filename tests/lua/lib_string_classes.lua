-- character classes over all bytes, sets, ranges, complements, %f and %b
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
all = table.concat(all)

local function members(pat)
  local n, first, last = 0, nil, nil
  local codes = {}
  for c in all:gmatch(pat) do
    n = n + 1
    local b = c:byte()
    first = first or b
    last = b
    if n <= 12 then codes[#codes + 1] = b end
  end
  local label = pat:gsub("[%c\128-\255]", function(c) return "\\" .. c:byte() end)
  return string.format("%-10s %3d first=%s last=%s [%s]", label, n, tostring(first), tostring(last), table.concat(codes, " "))
end

for _, cl in ipairs({"a", "c", "d", "g", "l", "p", "s", "u", "w", "x", "z"}) do
  print(members("%" .. cl))
  print(members("%" .. cl:upper()))
end
print(members("."))
print(members("[a-f]"))
print(members("[^a-f]"))
print(members("[%a_]"))
print(members("[%d%s]"))
print(members("[^%w]"))
print(members("[a%-z]"))
print(members("[z-a]"))
print(members("[%]]"))
print(members("[]]"))
print(members("[]-a]"))
print(members("[^]]"))
print(members("[-]"))
print(members("[a-]"))
print(members("[%%]"))
print(members("[%.]"))
print(members("%."))
print(members("%%"))
print(members("[\0-\31]"))
print(members("[\128-\255]"))
print(members("[^\0-\127]"))
print(members("[%A%D]"))
print(members("[%W%d]"))

-- escaped non-alphanumerics match themselves
local escaped = {}
for _, c in ipairs({"(", ")", "[", "]", "*", "+", "-", "?", ".", "^", "$", "%"}) do
  escaped[#escaped + 1] = c .. ":" .. tostring(("x" .. c .. "y"):match("%" .. c))
end
print(table.concat(escaped, " "))

-- quantifiers on sets
print(("aaabbbccc"):match("[ab]+"), ("aaabbbccc"):match("[ab]-c"), ("aaabbbccc"):match("[^a]*"))
print(("xyz"):match("[xyz]?[xyz]?[xyz]?[xyz]?"), ("abc123def"):match("%a*(%d*)%a*"))

-- frontier patterns
local function frontier(s, p)
  local out = {}
  for pos in s:gmatch("()" .. p) do out[#out + 1] = pos end
  return table.concat(out, ",")
end
print(frontier("THE (quick) brown fox", "%f[%a]"))
print(frontier("THE (quick) brown fox", "%f[%A]"))
print(frontier("hello", "%f[%z]"))
print(frontier("a1b2c3", "%f[%d]"))
print(frontier("", "%f[%z]"))
print(frontier("", "%f[%Z]"))
print(("the cat concat cathedral"):gsub("%f[%w]cat%f[%W]", "dog"))

-- balanced matches
print(("(foo(bar))baz(qux"):match("%b()"))
print(("if (a and (b or c)) then"):gsub("%b()", "[...]"))
print(("{{}}{"):match("%b{}"))
print(("aXbXc"):match("%bXX"))
print(("<<a>b>c>"):gsub("%b<>", "!"))
print(("no parens"):match("%b()"))
print(("))(("):match("%b)("))
