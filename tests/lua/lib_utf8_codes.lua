-- utf8.codes: iteration, lax mode, errors during iteration
local function collect(s, lax)
  local out = {}
  for p, c in utf8.codes(s, lax) do out[#out + 1] = p .. "=" .. c end
  return table.concat(out, " ")
end
print(1, collect("abc"))
print(2, collect("h\u{E9}\u{20AC}\u{1F600}!"))
print(3, "[" .. collect("") .. "]")
print(4, pcall(collect, "ab\xFFcd"))
print(5, pcall(collect, "\x80abc"))
print(6, collect("ab\x80"))
print(7, pcall(collect, "\xED\xA0\x80"))
print(8, collect("\xED\xA0\x80", true))
print(9, pcall(collect, "\u{7FFFFFFF}"))
print(10, collect("\u{7FFFFFFF}x", true))
print(11, pcall(utf8.codes))
print(12, pcall(utf8.codes, {}))
local f, s, c = utf8.codes("xy")
print(13, type(f), s, c)
print(14, f(s, c))
print(15, f(s, 1))
print(16, f(s, 2))
print(17, f("a\u{E9}b", 2))
print(18, collect(42))
local n = 0
for _, c in utf8.codes("\u{3042}\u{3044}\u{3046}") do n = n + c end
print(19, n)
print(20, pcall(function() for p, c in utf8.codes("a\xC3") do end end))
print(21, collect("a\xC3\xA9\xA9b"))
