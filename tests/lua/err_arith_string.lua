-- uncaught: arithmetic on a non-numeric constant string
local x = 1
print(x + 2)
print("abc" * x)
