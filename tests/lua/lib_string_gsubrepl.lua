-- string.gsub: string, table and function replacements, %0-%9, limits
local function show(...)
  local t = table.pack(...)
  local parts = {}
  for i = 1, t.n do parts[#parts + 1] = tostring(t[i]) end
  print(t.n, table.concat(parts, ","))
end

show(string.gsub("hello world", "o", "0"))
show(string.gsub("hello world", "o", "0", 1))
show(string.gsub("hello world", "o", "0", 0))
show(string.gsub("hello world", "o", "0", -1))
show(string.gsub("hello world", "o", "0", 2.0))
show(string.gsub("hello world", "(o)", "[%1]"))
show(string.gsub("hello world", "%w+", "<%0>"))
show(string.gsub("hello world", "(%w+) (%w+)", "%2 %1"))
show(string.gsub("hello", "", "-"))
show(string.gsub("hello", "x*", "-"))
show(string.gsub("hello", "l*", "-"))
show(string.gsub("abc", "%w", "%%"))
show(string.gsub("abc", "%w", "%%%0%%"))
show(string.gsub("abc", "b", "%1"))
show(string.gsub("abc", "()b()", "%1-%2"))
show(string.gsub("abc", "^a", "X"))
show(string.gsub("aaa", "^a", "X"))
show(string.gsub("abc", "^", ">"))
show(string.gsub("abc", "$", "<"))
show(string.gsub("abc", "^$", "E"))
show(string.gsub("", "^$", "E"))
show(string.gsub("", "", "E"))
show(string.gsub("abc", ".", 1))
show(string.gsub("abc", ".", 2.5))
show(string.gsub(12345, "3", "x"))
show(string.gsub("a.b.c", "%.", "/"))
show(string.gsub("a.b.c", ".", "/"))
show(string.gsub("hello world", "%s+", " "))
show(string.gsub("  trim  ", "^%s*(.-)%s*$", "%1"))

-- table replacement
local t = {hello = "HI", world = false, x = 42, y = 1.5}
show(string.gsub("hello world x y z", "%a+", t))
show(string.gsub("$name is $age", "%$(%w+)", {name = "Ann", age = 7}))
local meta = setmetatable({}, {__index = function(_, k) return k:upper() end})
show(string.gsub("abc def", "%a+", meta))
show(string.gsub("abc", "()", {[1] = "one", [2] = "two"}))

-- function replacement
show(string.gsub("hello world", "%a+", function(w) return w:upper() end))
show(string.gsub("hello world", "%a+", function(w) return nil end))
show(string.gsub("hello world", "%a+", function(w) return false end))
show(string.gsub("hello world", "%a+", function(w) return #w end))
show(string.gsub("hello world", "%a+", function(w) return #w / 2 end))
show(string.gsub("k=v, a=b", "(%w+)=(%w+)", function(k, v) return v .. "=" .. k end))
show(string.gsub("abc", "", function() return "." end))
show(string.gsub("abc", "()", function(p) return p end))
local calls = 0
show(string.gsub("aaaa", "a", function() calls = calls + 1; return "b" end, 3))
print("calls", calls)

-- the function sees all captures
show(string.gsub("x1y2", "(%a)(%d)", function(...) return select("#", ...) .. table.concat({...}) end))

-- escapes in the result
show(string.gsub("path/to/file", "/", "\\"))
show(string.gsub("a\0b", "%z", "<0>"))
show(string.gsub("a\0b", "\0", "%%"))

-- repeated use builds larger strings
local s = "x"
for _ = 1, 10 do s = s:gsub("x", "xx") end
print(#s)

-- errors
print(pcall(string.gsub, "abc", "a", "%2"))
print(pcall(string.gsub, "abc", "(a)", "%2"))
print(pcall(string.gsub, "abc", "a", "%x"))
print(pcall(string.gsub, "abc", "a", "%"))
print(pcall(string.gsub, "abc", "a", true))
print(pcall(string.gsub, "abc", "a"))
print(pcall(string.gsub, "abc", "a", {a = {}}))
print(pcall(string.gsub, "abc", "a", function() return {} end))
print(pcall(string.gsub, "abc", "a", function() return true end))
print(pcall(string.gsub, "abc", "(", "x"))
print(pcall(string.gsub, "abc", "a", "x", "many"))
print(pcall(string.gsub, "abc", "a", function() error("inner") end))
local ok, e = pcall(string.gsub, "abc", "a", function() error({code = 7}) end)
print(ok, type(e), e.code)
