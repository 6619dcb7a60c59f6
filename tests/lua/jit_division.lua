-- `%`, `//`, `/`, unary minus and mixed integer/float `+ - *` in compiled code: integer and float fast
-- paths and every case they must leave to the interpreter.
local mininteger, maxinteger = math.mininteger, math.maxinteger
local values = {7, -7, 3, -3, 1, -1, 0, 2.5, -2.5, 0.0, -0.0, mininteger, maxinteger,
  1/0, -1/0, "10", "2.5"}
local function show(v)
  if type(v) == "number" and v ~= v then return "nan" end
  return math.type(v) and (math.type(v) .. ":" .. tostring(v)) or tostring(v)
end
local out = {}
local function emit(s) out[#out + 1] = s end
for _, x in ipairs(values) do
  for _, y in ipairs(values) do
    local ok1, m = pcall(function() return x % y end)
    local ok2, q = pcall(function() return x // y end)
    local ok3, d = pcall(function() return x / y end)
    local ok4, sum = pcall(function() return x + y, x - y, x * y end)
    local _, dif, prod = pcall(function() return x - y, x * y end)
    emit(table.concat({show(x), show(y), ok1 and show(m) or "err", ok2 and show(q) or "err",
      ok3 and show(d) or "err", ok4 and show(sum) or "err", ok4 and show(dif) or "err",
      ok4 and show(prod) or "err"}, " "))
  end
  local ok, n = pcall(function() return -x end)
  emit("neg " .. show(x) .. " " .. (ok and show(n) or "err"))
end
-- Constant divisors (MODK, IDIVK, DIVK).
for i = -12, 12, 5 do
  emit(table.concat({i % 4, i // 4, i / 4, i % -3, i // -3, i % 2.5, i // 2.5, -i,
    i * 0.5, i + 0.25, i - 1.5, (i + 0.5) * 2, (i + 0.5) // 2, (i + 0.5) / 2}, " "))
end
emit(tostring(mininteger // -1) .. " " .. tostring(mininteger % -1))
print(table.concat(out, "\n"))
-- Errors name the operation as the interpreter does.
print(pcall(function() local z = 0; return 5 % z end))
print(pcall(function() local z = 0; return 5 // z end))
print(pcall(function() local t = {}; return t % 2 end))
print(pcall(function() local t = {}; return -t end))
-- Metamethods.
local mt = {__mod = function() return "mod" end, __idiv = function() return "idiv" end,
  __div = function() return "div" end, __unm = function() return "unm" end}
local o = setmetatable({}, mt)
print(o % 1, 1 // o, o / 2, -o)
