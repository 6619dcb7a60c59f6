-- Built-in functions print as "function: 0x..." (lua5.4.4), like Lua
-- functions, with addresses distinct from every other object's.
local function shape(v)
  return (tostring(v):gsub("0x%x+", "ADDR"))
end
print(shape(print), shape(string.format), shape(function() end), shape({}))
print(shape(string.format("%p", print)), string.format("%p", print) == string.format("%p", print))
local seen, n = {}, 0
for _, v in ipairs{print, type, pairs, next, string.rep, math.floor, {}, {}, function() end, coroutine.create(print)} do
  local s = tostring(v)
  if not seen[s] then n = n + 1 end
  seen[s] = true
end
print("distinct", n)
print(tostring(print) == tostring(print), tostring(print) ~= tostring(type))
