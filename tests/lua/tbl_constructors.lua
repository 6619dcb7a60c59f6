-- Table constructors
local function three() return 1, 2, 3 end
local function none() end
local function dump(t, n)
  local parts = {}
  for i = 1, n do parts[#parts + 1] = tostring(t[i]) end
  return table.concat(parts, ",")
end
local t = {10, 20, 30}
print(1, #t, t[1], t[2], t[3], t[4])
t = {x = 1, y = 2, "a", "b"}
print(2, #t, t.x, t.y, t[1], t[2])
t = {[1] = "one", [2] = "two", [10] = "ten", ["k"] = "v"}
print(3, t[1], t[2], t[10], t.k)
t = {1, 2, 3,}
print(4, #t)
t = {1; 2; 3;}
print(5, #t)
t = {1, 2; x = 3, 4}
print(6, #t, t.x, t[3])
t = {three()}
print(7, #t, dump(t, 3))
t = {three(), three()}
print(8, #t, dump(t, 4))
t = {three(), 10}
print(9, #t, dump(t, 2))
t = {(three())}
print(10, #t, t[1])
t = {none()}
print(11, #t, next(t))
t = {none(), 5}
print(12, t[1], t[2])
t = {[1] = "a", "b"}
print(13, t[1])
t = {"b", [1] = "a"}
print(14, t[1])
t = {[1 + 1] = "two", [3.0] = "three", ["x" .. "y"] = "xy"}
print(15, t[2], t[3], t.xy)
t = {{1, 2}, {3, {4, 5}}}
print(16, t[1][2], t[2][2][1], #t[2][2])
t = {}
print(17, #t, next(t), type(t))
local k = {}
t = {[k] = "tablekey", [true] = "yes", [false] = "no"}
print(18, t[k], t[true], t[false])
local function va(...) return {...} end
t = va(1, nil, 3)
print(19, t[1], t[2], t[3])
t = va()
print(20, #t)
t = {x = 1, x = 2}
print(21, t.x)
t = {f = function(self) return self.v end, v = 42}
print(22, t:f(), t.f(t))
-- large constructors (more than 50 items: multiple SETLIST batches)
t = {1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,
     31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,
     61,62,63,64,65,66,67,68,69,70, three()}
print(23, #t, t[50], t[51], t[70], t[73])
local s = 0
for i = 1, #t do s = s + t[i] end
print(24, s)
t = {-1, -2, n = 2, [-1] = "neg", [0] = "zero"}
print(25, #t, t.n, t[-1], t[0])
t = {"x", nil, "z"}
print(26, t[1], t[2], t[3])
t = {[2^53] = "big", [-0.0] = "zero"}
print(27, t[2^53], t[0], t[1 << 53], t[0.0])
print(28, #{n = 1}, #{nil}, #{nil, nil}, #{1, nil}, #{1, 2, 3, nil})
t = {three(), three(), x = 1, three()}
print(29, #t, dump(t, 5))
