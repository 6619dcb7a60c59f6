local a, b, c = 1, 2.5, "str"
local d = nil
local e, f
x = a + b * c
y = -a .. b .. c
print(a, b, #c, not d, ~a)
local t = {1, 2, 3, x = 1, ["y"] = 2, [3] = 4, f(), ...}
t.x.y.z = t[1] + t[a] + t["long key that is definitely more than forty characters"]
return t, a
