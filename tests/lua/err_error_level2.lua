-- uncaught: error with level 2 blames the caller
local function check(v)
  if type(v) ~= "number" then
    error("expected number, got " .. type(v), 2)
  end
  return v
end
local function user()
  local r = check("oops")
  return r
end
user()
