-- Method definitions and calls, colon syntax, self
local Account = {}
Account.__index = Account
function Account.new(balance) return setmetatable({balance = balance}, Account) end
function Account:deposit(v) self.balance = self.balance + v; return self end
function Account:get() return self.balance end
function Account.static(x) return x * 2 end
local a = Account.new(100)
a:deposit(50):deposit(25)
print(1, a:get(), a.get(a), Account.get(a), Account.static(21))
-- methods on nested tables
local obj = {inner = {val = 7}}
function obj.inner:double() return self.val * 2 end
print(2, obj.inner:double())
-- function a.b.c:m syntax
local ns = {sub = {deep = {}}}
function ns.sub.deep.f(x) return "f" .. x end
function ns.sub.deep:m(x) return self == ns.sub.deep, x end
print(3, ns.sub.deep.f(1), ns.sub.deep:m(2))
-- self is just the first parameter
local t = {name = "t"}
function t.plain(self, x) return self.name .. x end
print(4, t:plain("!"), t.plain({name = "other"}, "?"))
-- method call evaluates the object once
local evals = 0
local function getobj() evals = evals + 1; return a end
getobj():deposit(1)
print(5, evals, a:get())
-- inheritance
local Base = {}
Base.__index = Base
function Base.new(x) local o = setmetatable({}, Base); o.x = x; return o end
function Base:describe() return "Base(" .. self.x .. ")" end
function Base:kind() return "base" end
local Derived = setmetatable({}, {__index = Base})
Derived.__index = Derived
function Derived.new(x, y) local o = Base.new(x); o.y = y; return setmetatable(o, Derived) end
function Derived:describe() return "Derived(" .. self.x .. "," .. self.y .. ") <: " .. Base.describe(self) end
local d = Derived.new(1, 2)
print(6, d:describe(), d:kind())
-- method calls on string literals and numbers via string metatable
print(7, ("abc"):len(), ("%d-%d"):format(1, 2), ("x"):rep(3, "."))
-- method call with varargs
local V = {}
function V:count(...) return select("#", ...) end
print(8, V:count(), V:count(nil, nil))
-- methods stored as upvalue closures
local function makeStack()
  local items = {}
  local s = {}
  function s:push(v) items[#items + 1] = v end
  function s:pop() local v = items[#items]; items[#items] = nil; return v end
  function s:size() return #items end
  return s
end
local st = makeStack()
st:push(1); st:push(2); st:push(3)
print(9, st:pop(), st:size(), st:pop(), st:pop(), st:pop(), st:size())
-- calling a missing method
print(10, pcall(function() return a:missing() end))
-- method call on nil
print(11, pcall(function() local n; return n:foo() end))
-- methods with tail calls
function Account:addTwice(v) self:deposit(v) return self:deposit(v) end
print(12, a:addTwice(10):get())
-- long method chain
local B = {}
B.__index = B
function B:add(s) self[#self + 1] = s; return self end
local built = setmetatable({}, B):add("a"):add("b"):add("c")
print(13, table.concat(built))
