-- #t in compiled code: borders in the array part (binary search as the
-- interpreter does it, so tables with holes give the same answers),
-- right after it in the hash part, and __len, also when a metatable
-- gains __len after its absence was cached.
local function lens()
  local out = {}
  local t = {}
  for i = 1, 20 do t[i] = i; out[#out + 1] = #t end
  t[20] = nil; out[#out + 1] = #t
  t[19] = nil; t[18] = nil; out[#out + 1] = #t
  local holes = {1, 2, nil, 4, nil, nil, 7, 8}
  out[#out + 1] = #holes
  local h = {}
  h[1] = 1; h[2] = 2; h[3] = 3; h[5] = 5
  out[#out + 1] = #h
  local m = setmetatable({1, 2, 3}, {__len = function() return 42 end})
  out[#out + 1] = #m
  local m2 = setmetatable({1, 2, 3}, {})
  out[#out + 1] = #m2
  out[#out + 1] = #m2
  out[#out + 1] = #{}
  out[#out + 1] = #"abc"
  local big = {}
  for i = 1, 1000 do big[i] = true end
  for i = 1000, 500, -1 do big[i] = nil; if i % 100 == 0 then out[#out + 1] = #big end end
  local sparse = {}
  sparse[1] = 1; sparse[2] = 2; sparse[4] = 4; sparse[8] = 8; sparse[3] = 3
  out[#out + 1] = #sparse
  print(pcall(function() local n = 5; return #n end))
  return table.concat(out, " ")
end
print(lens())
local mt = {}
local obj = setmetatable({1, 2}, mt)
local seen = {}
for i = 1, 3 do seen[#seen + 1] = #obj end
mt.__len = function() return 99 end
seen[#seen + 1] = #obj
mt.__len = nil
seen[#seen + 1] = #obj
rawset(mt, "__len", function() return -1 end)
seen[#seen + 1] = #obj
print(table.concat(seen, " "))
local hashy = {[1] = "a", [2] = "b", [3] = "c", [4] = "d"}
local grown = {}
for i = 1, 5 do grown[i] = i end
grown[6] = 6; grown[7] = 7
print(#hashy, #grown)
