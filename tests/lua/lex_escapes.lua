-- All escape sequences in short strings
local function bytes(s)
  local t = {}
  for i = 1, #s do t[#t + 1] = s:byte(i) end
  return table.concat(t, ",")
end
print(1, bytes("\a\b\f\n\r\t\v"))
print(2, bytes("\\\"\'"))
print(3, bytes('\"\''))
print(4, bytes("\0\1\12\123\255"))
print(5, bytes("\0001"), #"\0001")
print(6, bytes("\x00\x41\xff\xFf\x7a"))
print(7, bytes("\u{0}\u{41}\u{7F}"))
print(8, bytes("\u{80}"), bytes("\u{7FF}"), bytes("\u{800}"))
print(9, bytes("\u{FFFF}"), bytes("\u{10000}"), bytes("\u{10FFFF}"))
print(10, bytes("\u{110000}"), bytes("\u{1FFFFF}"))
print(11, bytes("\u{200000}"), bytes("\u{3FFFFFF}"))
print(12, bytes("\u{4000000}"), bytes("\u{7FFFFFFF}"))
print(13, bytes("\u{00000041}"))
print(14, "a\z
       b", #"a\z     b")
print(15, "x\z

   y")
print(16, bytes("line1\
line2"))
print(17, "\65\066\0671")
print(18, "tab:\tend")
print(19, "\u{48}\u{49}")
print(20, #"\z", #"\z   ")
print(21, bytes("\x41\z  \x42"))
print(22, "nul inside: [" .. "a\0b" .. "]", #"a\0b")
print(23, '\'single\' "double"', "\"double\" 'single'")
print(24, bytes("\u{E9}"), "\u{E9}")
print(25, "\104\101\108\108\111")
