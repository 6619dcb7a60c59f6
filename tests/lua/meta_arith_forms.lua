local mt = {}
for _, e in ipairs{"add","sub","mul","mod","pow","div","idiv","band","bor","bxor","shl","shr","unm","bnot"} do
  mt["__" .. e] = function(a, b) return e .. "(" .. tostring(type(a) == "table" and "T" or a) .. "," .. tostring(type(b) == "table" and "T" or b) .. ")" end
end
local x = setmetatable({}, mt)
print(x << 1, 1 << x, x >> 2, 2 >> x, 1 + x, x + 1, x - 1, 1 - x, 2 * x, x % 3, 2 ^ x, x / 2, x // 2, 3 & x, x | 3, x ~ 1, -x, ~x, x + x)
print(pcall(function() return x.y.z end), pcall(function() local n; return n << 1 end))
print(pcall(function() local s = "a"; return 1 << s end), pcall(function() return 1.5 << 1 end))
