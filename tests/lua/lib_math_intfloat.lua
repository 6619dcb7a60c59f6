-- math: integer/float result types of every function
local function ty(...)
  local r = {}
  for i = 1, select('#', ...) do
    local v = select(i, ...)
    r[i] = tostring(v) .. "(" .. (math.type(v) or type(v)) .. ")"
  end
  return table.concat(r, " ")
end
print(1, ty(math.floor(3.7), math.floor(-3.7), math.floor(5), math.floor(-0.0), math.floor(2^62), math.floor(2^63)))
print(2, ty(math.ceil(3.2), math.ceil(-3.2), math.ceil(5), math.ceil(-0.5), math.ceil(1e100), math.ceil(-2^63)))
print(3, ty(math.abs(-5), math.abs(-5.5), math.abs(math.mininteger), math.abs(-0.0), math.abs("-3")))
print(4, ty(math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3), math.fmod(7.5, 2), math.fmod(-7, 3.0)))
print(5, ty(math.fmod(math.mininteger, -1), math.fmod(5, math.mininteger), math.fmod(3, 1)))
print(6, ty(math.modf(3.7)))
print(7, ty(math.modf(-3.7)))
print(8, ty(math.modf(5)))
print(9, ty(math.modf(1/0)))
print(10, ty(math.modf(-1/0)))
print(11, ty(math.modf(2^70)))
print(12, ty(math.sqrt(16), math.sqrt(2), math.exp(0), math.log(1)))
print(13, ty(math.tointeger(3.0), math.tointeger(3.5), math.tointeger("8"), math.tointeger(2^63), math.tointeger("x"), math.tointeger({})))
print(14, ty(math.max(1, 2.0), math.max(2.0, 1), math.max(1, 1.0), math.max(1.0, 1), math.min(-0.0, 0), math.min(0, -0.0)))
print(15, ty(math.max(3), math.min(3.5), math.max(-1, -5, 2, 2.0), math.min(7, 3, 3.0, 9)))
print(16, ty(math.maxinteger, math.mininteger, math.pi, math.huge, -math.huge))
print(17, ty(math.maxinteger + 1 == math.mininteger, math.mininteger - 1 == math.maxinteger))
print(18, ty(math.ult(1, 2), math.ult(-1, 2), math.ult(2, -1), math.ult(0, 0)))
print(19, ty(math.type(1), math.type(1.0), math.type("1"), math.type(nil), math.type(2^63)))
print(20, ty(math.floor("3.5"), math.ceil("3.5"), math.floor("10")))
print(21, ty(math.fmod(5.0, 0), math.fmod(-5, 0.0) ~= math.fmod(-5, 0.0)))
print(22, ty(math.floor(-2^63), math.ceil(2^63 - 1024), math.floor(0.5), math.ceil(-0.5)))
print(23, ty(math.max(math.mininteger, -2^63), math.min(math.maxinteger, 2^63)))
