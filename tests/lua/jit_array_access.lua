-- Array-part access in compiled code: present values take the fast path;
-- holes, keys outside the array part, non-integer keys, metamethods and
-- non-tables take the general path with the same results and messages.

local t = {10, 20, 30, nil, 50}
local function get(tab, k) return tab[k] end
local function get2(tab) return tab[2], tab[4], tab[9] end
local function set(tab, k, v) tab[k] = v end
local function set3(tab, v) tab[3] = v end

print(1, get(t, 1), get(t, 4), get(t, 5), get(t, 0), get(t, -1), get(t, 6))
print(2, get2(t))
print(3, get(t, 2.0), get(t, "1"), get({[1.5] = "f"}, 1.5))
set(t, 1, "one"); set3(t, "three"); set(t, 4, "four"); set(t, 7, "seven")
print(4, t[1], t[3], t[4], t[7], #t >= 5)
set(t, 3, nil)
print(5, t[3], get(t, 3))

-- Metamethods only matter where the raw value is absent.
local log = {}
local mt = {
  __index = function(_, k) return "idx" .. k end,
  __newindex = function(tab, k, v) log[#log + 1] = k; rawset(tab, k, v) end,
}
local m = setmetatable({1, 2, nil, 4}, mt)
print(6, get(m, 1), get(m, 3), get(m, 10), get2(m))
set(m, 2, "two"); set(m, 3, "three"); set3(m, "again"); set(m, 8, "eight")
print(7, m[2], m[3], m[8], table.concat(log, ","))

-- Loops over the array part.
local a = {}
for i = 1, 100 do a[i] = i * i end
local s = 0
for i = 1, #a do s = s + a[i] end
for i = 1, #a do a[i] = a[i] - 1 end
print(8, s, a[1], a[100])

-- Errors: indexing non-tables.
print(9, pcall(get, nil, 1))
print(10, pcall(get2, 42))
print(11, pcall(set, "str", 1, 2))
print(12, pcall(set3, nil, 1))
print(13, get("abc", "len") == string.len)
