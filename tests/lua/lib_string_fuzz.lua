-- differential fuzz: pseudo-random patterns, subjects and formats (fixed seed),
-- every result and error message printed
local seed = 12345
local function rand(n)
  seed = (seed * 6364136223846793005 + 1442695040888963407) & 0x7fffffffffffffff
  return (seed >> 33) % n + 1
end
local function pick(t) return t[rand(#t)] end

local pieces = {"a", "b", "c", ".", "%a", "%d", "%s", "%w", "%A", "[ab]", "[^a]", "[a-c]", "[%d%s]",
                "*", "+", "-", "?", "(", ")", "()", "%1", "%b()", "%f[%w]", "^", "$", "%", "[", "]", "%.", "%%",
                "x", "1", " ", "\0"}
local subjects = {"", "a", "abc", "aabbcc", "a1 b2 c3", "(a(b)c)", "abc abc", "  x  ", "1.5e3", "a\0b", "%a.b"}
local function show(ok, ...)
  local t = table.pack(...)
  local parts = {}
  for i = 1, t.n do parts[#parts + 1] = tostring(t[i]) end
  return (ok and "ok " or "err ") .. table.concat(parts, ","):gsub("%z", "\\0")
end
for i = 1, 400 do
  local n = rand(5)
  local p = {}
  for j = 1, n do p[j] = pick(pieces) end
  p = table.concat(p)
  local s = pick(subjects)
  local init = rand(9) - 5
  local line = {("%q"):format(p):gsub("\n", "n"):gsub("%z", "\\0"), ("%q"):format(s):gsub("%z", "\\0"), init}
  line[#line + 1] = show(pcall(string.find, s, p, init))
  line[#line + 1] = show(pcall(string.match, s, p, init))
  line[#line + 1] = show(pcall(string.gsub, s, p, "<%0>"))
  line[#line + 1] = show(pcall(string.gsub, s, p, "%1", 2))
  local ok, it = pcall(string.gmatch, s, p)
  local got = {}
  if ok then
    local ok2, err = pcall(function()
      for a, b in it do
        got[#got + 1] = tostring(a) .. (b ~= nil and ("/" .. tostring(b)) or "")
        if #got > 20 then break end
      end
    end)
    if not ok2 then got[#got + 1] = "err " .. err end
  end
  line[#line + 1] = table.concat(got, ";"):gsub("%z", "\\0")
  print(i, table.concat(line, " | "))
end

local fpieces = {"%", "d", "s", "q", "x", "X", "o", "c", "e", "g", "f", "a", "A", "i", "u", "-", "+", " ", "#", "0",
                 "5", "12", ".", ".3", "%%", "z", "|"}
local args = {0, 1, -1, 65, 3.75, -0.0, 1e300, 2^63, "str", "", math.mininteger, 1/0}
for i = 1, 400 do
  local n = rand(6)
  local f = {}
  for j = 1, n do f[j] = pick(fpieces) end
  f = table.concat(f)
  local a1, a2, a3 = pick(args), pick(args), pick(args)
  local ok, r = pcall(string.format, f, a1, a2, a3)
  print(i, ("%q"):format(f), tostring(a1), tostring(a2), tostring(a3), ok, (tostring(r):gsub("%z", "\\0")))
end
