do
  goto a
  local x
  ::a::
end
for i = 1, 3 do
  local v = i
  local f = function() return v end
  if i == 2 then goto continue end
  print(f())
  ::continue::
end
local n = 0
::again::
n = n + 1
if n < 3 then goto again end
