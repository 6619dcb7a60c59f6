-- `__concat` may yield (as in lua5.4): the concatenation resumes where it
-- stopped, also when several operands need the metamethod, and errors
-- after a resume point at the right line.

local mt = {}
mt.__concat = function(a, b)
  local x = type(a) == "table" and a.name or a
  local y = type(b) == "table" and b.name or b
  local r = coroutine.yield("concat " .. tostring(x) .. " " .. tostring(y))
  return r or (tostring(x) .. "+" .. tostring(y))
end
local function obj(name) return setmetatable({name = name}, mt) end

local function run(f)
  local co = coroutine.create(f)
  local steps = {}
  local ok, v = coroutine.resume(co)
  while ok and coroutine.status(co) == "suspended" do
    steps[#steps + 1] = v
    ok, v = coroutine.resume(co)
  end
  print(table.concat(steps, " | "))
  print("->", ok, v)
end

run(function() return obj("a") .. "x" end)
run(function() return "x" .. obj("a") end)
run(function() return "p" .. obj("a") .. "q" .. 1 .. obj("b") .. 2.5 end)
run(function() local a, b, c = obj("A"), obj("B"), obj("C"); return a .. b .. c end)
run(function()
  local s = "start"
  for i = 1, 3 do s = s .. obj(i) .. "-" end
  return s
end)
run(function()
  local t = {}
  local r = "<" .. obj("err") .. ">"
  return r .. t
end)
-- results of the metamethod used as they are (non-strings too)
mt.__concat = function(a, b)
  coroutine.yield("yield")
  return 42
end
run(function() return "a" .. obj("z") .. "b" end)
run(function() local v = obj("z") .. "b"; return math.type(v), v end)
-- no yield: plain call path unchanged
print(pcall(function() return obj("q") .. "r" end))
