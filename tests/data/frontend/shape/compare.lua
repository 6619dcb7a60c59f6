local a, b = ...
local r
r = a < b; r = a <= b; r = a > b; r = a >= b; r = a == b; r = a ~= b
r = a < 1; r = 1 < a; r = a > 2.0; r = a == 3; r = a == 3.0; r = 3 == a; r = a ~= "s"; r = a == nil
r = a == 1000; r = a < 1000; r = a <= -127; r = a >= 128; r = a == true; r = 5 < 1000.0
if a and b or not a then r = 1 elseif a == b then r = 2 else r = 3 end
r = a and b; r = a or b; r = a and 1 or 2; r = not (a == b); r = (a or b) and (b or a)
while a < b do a = a + 1 end
repeat local z = a; a = z until z > 10
if not a then return end
