for i = 1, 10 do print(i) end
for i = 10, 1, -1 do local j = i; print(j) end
for k, v in pairs(t) do print(k, v) end
for a, b, c, d in next, t, nil do break end
while true do
  local x = 1
  if x then break end
  local f = function() return x end
end
do
  local y <close> = nil
  local z <const> = 42
  local w <const> = "str"
  print(y, z, w)
end
::top:: local q = 1
goto top
