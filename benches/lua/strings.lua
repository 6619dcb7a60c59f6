-- Benchmark: string-heavy work (concatenation, rep/sub/byte/char, table.concat).
local N = tonumber(arg and arg[1]) or 400000
local h = 0
-- byte-wise hashing of generated strings
for i = 1, N do
  local s = "item" .. i .. ":" .. (i * 7)
  for k = 1, #s do h = (h * 31 + s:byte(k)) % 4294967296 end
end
-- building with table.concat and slicing with sub
local parts = {}
for i = 1, math.floor(N / 10) do parts[#parts + 1] = string.char(97 + i % 26) .. string.rep("x", i % 5) end
local big = table.concat(parts, ",")
local subsum = 0
for i = 1, #big - 8, 97 do
  local piece = big:sub(i, i + 7)
  subsum = subsum + #piece + piece:byte(1)
end
-- repeated small concatenations (string interning / allocation)
local acc = ""
local total = 0
for i = 1, math.floor(N / 4) do
  acc = acc .. string.char(65 + i % 26)
  if #acc >= 64 then total = total + acc:byte(32); acc = "" end
end
-- string comparisons
local lt = 0
local prev = ""
for i = 1, math.floor(N / 4) do
  local s = string.format("%d", (i * 7919) % 10007)
  if s < prev then lt = lt + 1 end
  prev = s
end
local check = h .. " " .. #big .. " " .. subsum .. " " .. total .. " " .. lt
if N == 400000 then assert(check == "2299702723 159999 175415 120274 72039", "strings checksum mismatch: " .. check) end
print("strings " .. N .. ": " .. check)
