local x, y = ...
local r
r = x + 1; r = 1 + x; r = x + 300; r = x * 2; r = 2 * x; r = x / 2; r = x // 3; r = x % 4
r = x ^ 2; r = 2 ^ x; r = x + 1.5; r = 1.5 * x; r = x & 7; r = 7 & x; r = x | 0xff; r = x ~ y
r = x << 3; r = 3 << x; r = x >> 2; r = 2 >> x; r = x << y; r = x >> 200; r = x << 200
r = 1 + 2 * 3 - 4 / 2; r = 7 // 0; r = 7 % 0; r = 1 / 0; r = 0/0; r = -0.0; r = 2^63; r = 5 // 2.0
r = 3 & 2.0; r = 3 | 1.5; r = ~5; r = -(-9223372036854775807 - 1); r = 10 >> 1 << 2
r = "a" .. "b" .. x .. y
r = 0x7fffffffffffffff + 1; r = math.maxinteger // -1
