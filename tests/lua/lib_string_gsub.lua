-- string.gsub and string.gmatch
print(1, ("hello world"):gsub("o", "0"))
print(2, ("hello world"):gsub("o", "0", 1))
print(3, ("hello"):gsub("", "-"))
print(4, ("abc"):gsub("%w", "%0%0"), ("abc"):gsub("(%w)", "[%1]"))
print(5, ("hello world"):gsub("(%w+) (%w+)", "%2 %1"))
print(6, ("$name is $age"):gsub("%$(%w+)", {name = "Ann", age = 30}))
print(7, ("1 2 3"):gsub("%d", function(d) return d * 2 end))
print(8, ("keep"):gsub("%w", function() return nil end), ("keep"):gsub("%w", {}))
print(9, ("a b"):gsub(" ", "%%"), pcall(string.gsub, "x", "x", "%2"))
print(10, ("abc"):gsub(".", {a = 1, b = false}), pcall(string.gsub, "b", ".", {b = true}))
print(11, pcall(string.gsub, "abc", ".", {a = {}}))
print(12, ("x"):gsub("x", "%%1"), ("hello"):gsub("l+", function(m) return #m end))
local words = {}
for w in ("The quick brown fox"):gmatch("%a+") do words[#words + 1] = w:lower() end
print(13, table.concat(words, ","))
local pairsOut = {}
for k, v in ("a=1, b=2, c=3"):gmatch("(%w+)=(%w+)") do pairsOut[#pairsOut + 1] = k .. v end
print(14, table.concat(pairsOut, ";"))
local pos = {}
for p in ("abcabc"):gmatch("()b") do pos[#pos + 1] = p end
print(15, table.concat(pos, ","))
local empties = 0
for _ in ("abc"):gmatch("") do empties = empties + 1 end
print(16, empties)
print(17, ("abc"):gsub("b*", "-"))
print(18, ("  padded  "):gsub("^%s+", ""):gsub("%s+$", "") )
print(19, (("x"):rep(5)):gsub("x", "y", 3), ("abc"):gsub("", "", 0))
local g = ("a1b2"):gmatch("%a(%d)")
print(20, g(), g(), g())
print(21, ("hello world"):gsub("%f[%w]%w+", string.upper))
print(22, ("CSV,,fields,"):gsub(",", ";"), select("#", ("a"):gsub("a", "b")))
for a, b in string.gmatch("k1=v1 k2=v2", "(%w+)=(%w+)", 4) do print(23, a, b) end
