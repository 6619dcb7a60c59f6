-- Large arrays and hashes, nested structures, table identity
local N = 200000
local t = {}
for i = 1, N do t[i] = i * 2 end
print(1, #t, t[1], t[N], t[N + 1])
local s = 0
for i = 1, N do s = s + t[i] end
print(2, s)
-- hash with many string keys
local h = {}
for i = 1, 50000 do h["key" .. i] = i end
local hs, hc = 0, 0
for k, v in pairs(h) do hs = hs + v; hc = hc + 1 end
print(3, hc, hs, h.key1, h.key50000, h.key50001)
-- delete half, re-insert
for i = 1, 50000, 2 do h["key" .. i] = nil end
hc = 0
for _ in pairs(h) do hc = hc + 1 end
print(4, hc, h.key1, h.key2)
for i = 1, 50000, 2 do h["key" .. i] = -i end
hc = 0
for _ in pairs(h) do hc = hc + 1 end
print(5, hc, h.key1, h.key49999)
-- sparse integer keys
local sp = {}
for i = 1, 1000 do sp[i * i] = i end
print(6, sp[1], sp[4], sp[1000000], sp[999999])
-- negative and zero integer keys
local neg = {}
for i = -100, 100 do neg[i] = i end
local ns = 0
for k, v in pairs(neg) do ns = ns + v end
print(7, ns, neg[-100], neg[0], #neg >= 100)
-- nested tables / matrix
local m = {}
for i = 1, 100 do
  m[i] = {}
  for j = 1, 100 do m[i][j] = i * j end
end
local tr = 0
for i = 1, 100 do tr = tr + m[i][i] end
print(8, tr, m[37][59], #m, #m[100])
-- tables as keys: identity, not content
local k1, k2 = {1}, {1}
local idk = {[k1] = "first", [k2] = "second"}
print(9, idk[k1], idk[k2], k1 == k2)
-- linked list
local list = nil
for i = 1, 10000 do list = {value = i, next = list} end
local c, lsum = 0, 0
while list do c = c + 1; lsum = lsum + list.value; list = list.next end
print(10, c, lsum)
-- shared references
local shared = {n = 0}
local a, b = {ref = shared}, {ref = shared}
a.ref.n = a.ref.n + 1
b.ref.n = b.ref.n + 1
print(11, shared.n, a.ref == b.ref)
-- self-referencing table
local self = {}
self.me = self
print(12, self.me.me.me == self)
-- growth by mixed insertion pattern
local mix = {}
for i = 1, 1000 do
  mix[i] = i
  mix["s" .. i] = i
  mix[i + 0.5] = i
end
local mc = 0
for _ in pairs(mix) do mc = mc + 1 end
print(13, mc, #mix, mix[500.5], mix.s500)
-- boolean and float-fraction keys survive rehash
local bk = {[true] = 1, [false] = 0, [0.25] = "q"}
for i = 1, 1000 do bk[i] = i end
print(14, bk[true], bk[false], bk[0.25], #bk)
