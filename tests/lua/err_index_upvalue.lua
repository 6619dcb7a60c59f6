-- uncaught: index a nil upvalue from a closure stored in a table field
local state
local M = {}
M.get = function()
  return state.current
end
print("calling")
M.get()
