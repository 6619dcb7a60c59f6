local s = 0
for i = 1, 300000 do s = s + i % 7 end
local t = {}
for i = 1, 30000 do t[i] = i end
for i = 1, #t do s = s + t[i] end
local o = {x = 1}
for i = 1, 100000 do o.x = o.x + 1 end
print(s, o.x)
