-- Integer arithmetic and wrap-around
local maxi, mini = math.maxinteger, math.mininteger
print(1, maxi, mini)
print(2, maxi + 1 == mini, mini - 1 == maxi)
print(3, maxi * 2, mini * -1, -mini)
print(4, maxi * maxi, mini * mini)
print(5, 7 + 3, 7 - 3, 7 * 3, -7, - -7)
print(6, 2^10, math.type(2^10), 10 / 2, math.type(10 / 2))
print(7, 7 // 2, -7 // 2, 7 // -2, -7 // -2)
print(8, 7 % 3, -7 % 3, 7 % -3, -7 % -3)
print(9, 6 % 3, -6 % 3, 6 % -3, 0 % 5)
print(10, mini // -1, mini % -1)
print(11, maxi // 1, maxi % 2, mini % 2, mini // 2)
print(12, 1 // 1, 0 // 7, -1 // 7, -1 % 7)
print(13, 3 - 5, 0 - mini, mini + maxi)
print(14, 100000000000 * 100000000000)
print(15, 123456789 * 987654321)
print(16, (maxi + 1) // 2, (maxi // 2) * 2 + 1 == maxi)
local x = 10
x = x + 1; x = x * 2; x = x - 3; x = x // 4
print(17, x, math.type(x))
print(18, 2 ^ 0.5 == 2 ^ (1 / 2), 2 ^ -1, (-8) ^ (1 / 3) ~= (-8) ^ (1 / 3))
print(19, -2 ^ 2, (-2) ^ 2, 2 ^ 3 ^ 2)
print(20, 1 + 2 * 3 - 4 / 2, (1 + 2) * 3, 2 * 3 % 4, 2 + 3 % 4)
print(21, 5 // 0.0, -5 // 0.0, 0 / 0 ~= 0 / 0)
print(22, math.abs(-5), math.abs(mini), math.abs(-0.5), math.type(math.abs(-3)))
print(23, math.floor(3.7), math.floor(-3.7), math.type(math.floor(3.7)), math.floor(5))
print(24, math.floor(2^62) == 2^62, math.type(math.floor(2^62)), math.type(math.floor(2^70)))
print(25, 1e15 + 1, 2^53 + 1)
print(26, 3 % math.huge, -3 % math.huge, 3 % -math.huge, -3 % -math.huge)
print(27, 0x7fffffff * 0x7fffffff, 0xffffffff + 1)
print(28, -(-9223372036854775807 - 1))
local acc = 0
for i = 1, 100 do acc = acc * 31 + i end
print(29, acc)
local h = 5381
for i = 1, 1000 do h = h * 33 + (i % 256) end
print(30, h)
