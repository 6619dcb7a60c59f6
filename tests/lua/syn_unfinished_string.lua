print("ok")
local s = "this string never ends
print(s)
