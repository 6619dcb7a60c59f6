-- uncaught: error level 2 when the caller made a tail call: the blamed
-- position is the tail-caller's caller, and the traceback shows (...tail calls...)
local function check(v)
  if type(v) ~= "number" then
    error("expected number, got " .. type(v), 2)
  end
  return v
end
local function user()
  return check("oops")
end
user()
