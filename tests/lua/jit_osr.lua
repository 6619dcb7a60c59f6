-- Loops that get hot while their function runs (called once): under
-- --tier=auto the frame goes on in compiled code from a loop head (on-stack
-- replacement). Every kind of loop, with state the interpreter built up
-- before the switch: upvalues, varargs, to-be-closed variables, coroutines
-- (which stay interpreted), nested loops and errors after the switch.
local N = 3000

local function numeric(...)
  local extra = select("#", ...)
  local s, f = 0, 1.0
  for i = 1, N do s = s + i * extra; f = f + 0.25 end
  for i = N, 1, -3 do s = s - i end
  for x = 0.0, 10.0, 0.004 do f = f + x end
  return s, f
end
print("numeric", numeric(1, 2, 3))

local function whiles()
  local k, acc = 0, {}
  while k < N do k = k + 1; acc[#acc + 1] = k % 5 end
  repeat local last = k; k = k - 2 until last <= 2
  local n = 0
  ::again::
  n = n + 1
  if n < N then goto again end
  return #acc, k, n
end
print("whiles", whiles())

local function generic()
  local t = {}
  for i = 1, N do t[i] = i end
  local s = 0
  for _, v in ipairs(t) do s = s + v end
  local keys = 0
  for k in pairs(t) do keys = keys + k % 3 end
  local function range(n) local i = 0 return function() i = i + 1; if i <= n then return i end end end
  local r = 0
  for i in range(N) do r = r + i end
  return s, keys, r
end
print("generic", generic())

local function closures()
  local fns = {}
  for i = 1, N do
    local captured = i * 2
    fns[i] = function() return captured end
  end
  local s = 0
  for i = 1, N, 7 do s = s + fns[i]() end
  return s
end
print("closures", closures())

local function nested()
  local total = 0
  for i = 1, 60 do
    for j = 1, 60 do
      if (i + j) % 3 == 0 then total = total + i * j end
    end
  end
  return total
end
print("nested", nested())

local closed = 0
local function with_close()
  local h <close> = setmetatable({}, {__close = function() closed = closed + 1 end})
  local s = 0
  for i = 1, N do
    local inner <close> = setmetatable({}, {__close = function() closed = closed + 1 end})
    s = s + i
  end
  return s
end
print("close", with_close(), closed)

local co = coroutine.wrap(function()
  local s = 0
  for i = 1, N do
    s = s + i
    if i % 1000 == 0 then coroutine.yield(s) end
  end
  return "done " .. s
end)
print("coroutine", co(), co(), co(), co())

local function failing()
  local s = 0
  for i = 1, N do
    s = s + i
    if i == N - 10 then error("stopped at " .. i .. " with " .. s) end
  end
end
print("error", pcall(failing))

local function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end
local function recursing()
  local s = 0
  for i = 1, 400 do s = s + deep(i % 50) end
  return s
end
print("recursion", recursing())
