-- uncaught: a call continues across a newline: "f\n(f)()" calls f(f) then the table
local t = {}
local f = function() return t end
local x = f
(f)()
print(x)
