-- utf8 library
print(1, utf8.char(72, 228, 8364, 128512), utf8.char())
print(2, utf8.charpattern == "[\0-\x7F\xC2-\xFD][\x80-\xBF]*")
local s = "häll€ 😀"
print(3, #s, utf8.len(s), utf8.len(""), utf8.len("abc", 2), utf8.len(s, -4))
print(4, utf8.len("\xff"), utf8.len("ab\x80cd"))
print(5, utf8.codepoint(s, 1, -1))
print(6, utf8.offset(s, 3), utf8.offset(s, -1), utf8.offset(s, 0, 3), utf8.offset(s, 10))
local out = {}
for p, c in utf8.codes(s) do out[#out + 1] = p .. ":" .. c end
print(7, table.concat(out, " "))
print(8, pcall(utf8.codepoint, "\xff"))
print(9, pcall(function() for p, c in utf8.codes("a\xffb") do end end))
print(10, utf8.char(0x7FFFFFFF):byte(1, -1))
print(11, utf8.len("\u{7FFFFFFF}"), utf8.len("\u{7FFFFFFF}", 1, -1, true))
print(12, pcall(utf8.char, -1), pcall(utf8.offset, "\x80", 1))
print(13, utf8.codepoint("\u{10FFFF}"), pcall(utf8.codepoint, "\u{110000}"), utf8.codepoint("\u{110000}", 1, 1, true))
print(14, utf8.len("\xC0\x80"), utf8.len("\xED\xA0\x80"))
