-- Returns with every wanted count and generic `for` iterators, from
-- compiled code: RETURN/RETURN0/RETURN1 into callers wanting 0, 1, several
-- or all values, and TFORCALL with Lua, library and callable iterators.
local function none() end
local function one() return 1 end
local function three() return 1, 2, 3 end
local function pass(...) return ... end
local function many(n) local t = {} for i = 1, n do t[i] = i end return table.unpack(t) end
local function collect(...) return select('#', ...), ... end
for _ = 1, 3 do
  local a, b, c = none()
  local d, e, f = one()
  local g, h = three()
  local x = three()
  print(a, b, c, d, e, f, g, h, x)
  print(collect(none()))
  print(collect(one()))
  print(collect(three()))
  print(collect(pass(1, nil, 3, nil)))
  print(#{three()}, #{many(40)}, (three()), select('#', many(200)))
  local t = {one(), three()}
  print(#t, t[1], t[2], t[4])
end
-- Results that go through a callee's frame move (more results than room).
local function deep(n) if n == 0 then return many(30) end return deep(n - 1) end
print(select('#', deep(50)), select(30, deep(10)))

-- Iterators.
local function range(n)
  local i = 0
  return function() i = i + 1; if i <= n then return i, i * i end end
end
local sum = 0
for i, sq in range(100) do sum = sum + i + sq end
print(sum)
local function stateless(limit, i) if i < limit then return i + 1 end end
sum = 0
for i in stateless, 50, 0 do sum = sum + i end
print(sum)
local keys = {}
for k, v in pairs({10, 20, 30, x = 1}) do keys[#keys + 1] = tostring(k) .. "=" .. v end
table.sort(keys)
print(table.concat(keys, ","))
sum = 0
for i, v in ipairs({5, 6, 7, nil, 9}) do sum = sum + i * v end
print(sum)
local gen = coroutine.wrap(function() for i = 1, 5 do coroutine.yield(i) end end)
sum = 0
for v in gen do sum = sum + v end
print(sum)
local callable = setmetatable({n = 0}, {__call = function(self) self.n = self.n + 1; if self.n <= 4 then return self.n end end})
sum = 0
for v in callable do sum = sum + v end
print(sum)
for i in range(10) do if i == 3 then print("break at", i) break end end
for i, j in range(3) do for k in range(2) do io.write(i, ":", j, ":", k, " ") end end
print()
print(pcall(function() for v in function() error("iterator failed") end do end end))
print(pcall(function() for v in 42 do end end))
