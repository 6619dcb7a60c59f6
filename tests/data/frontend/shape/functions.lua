local up = 1
local function f(a, b, ...)
  local c = a + up
  up = c
  return f(c, ...)
end
function g.h.i:m(x) return self, x end
function glob(...) local t = {...}; return select('#', ...), ... end
local o = {}
o:m(1, 2)
o.n:m "s"
o:k {1}
print(f(1)(2))
return (f(1))
