-- string.gmatch: iteration, captures, empty matches, init (5.4)
local function collect(s, p, init)
  local out = {}
  for a, b, c in string.gmatch(s, p, init) do
    local item = tostring(a)
    if b ~= nil then item = item .. "|" .. tostring(b) end
    if c ~= nil then item = item .. "|" .. tostring(c) end
    out[#out + 1] = "[" .. item .. "]"
  end
  return #out .. ": " .. table.concat(out, " ")
end

print(collect("hello world from lua", "%a+"))
print(collect("one two  three", "%S+"))
print(collect("k1=v1, k2=v2, k3=v3", "(%w+)=(%w+)"))
print(collect("abc", ""))
print(collect("abc", ".-"))
print(collect("abc", "x*"))
print(collect("aaa", "a*"))
print(collect("a,b,,c", "([^,]*)"))
print(collect("hello", "()ll()"))
print(collect("hello", "()"))
print(collect("hello world", "%a+", 3))
print(collect("hello world", "%a+", -5))
print(collect("hello world", "%a+", 100))
print(collect("hello world", "%a+", 0))
print(collect("", ".*"))
print(collect("", ".*", 2))
print(collect("^a^a", "^a"))
print(collect("abab", "(a)(b)"))
print(collect("x1y22z333", "%d+"))
print(collect("THE (quick) (brown) fox", "%b()"))
print(collect("THE (quick) fox", "%f[%a]%a+"))
print(collect(12345, "%d%d"))

-- the iterator keeps its state between calls
local it = string.gmatch("a1b2c3", "%a(%d)")
print(it(), it(), it(), it(), it())

-- a gmatch iterator can be abandoned and a new one started
local words = {}
for w in ("alpha beta gamma"):gmatch("%a+") do
  words[#words + 1] = w:upper()
  if #words == 2 then break end
end
print(table.concat(words, ","))

-- collect all numbers and sum them
local sum = 0
for n in ("10 20 -5 7.5 abc 1e2"):gmatch("%-?%d+%.?%d*e?%d*") do sum = sum + tonumber(n) end
print(sum)

-- errors surface when the iterator runs
local ok, err = pcall(function() for x in ("abc"):gmatch("(") do end end)
print(ok, err)
ok, err = pcall(function() for x in ("abc"):gmatch("%") do end end)
print(ok, err)
ok, err = pcall(string.gmatch, "abc")
print(ok, err)
ok, err = pcall(string.gmatch, nil, "x")
print(ok, err)
