-- uncaught: concatenate a nil upvalue inside a method defined with colon syntax
local greeting
local Greeter = {}
function Greeter:hello(name)
  return greeting .. ", " .. name
end
print(Greeter:hello("world"))
