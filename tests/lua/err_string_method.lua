-- uncaught: bad argument to a string method called with colon syntax
local s = "abc"
print(s:rep(2))
print(s:rep({}))
