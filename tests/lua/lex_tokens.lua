-- Identifiers, keywords as field names, operators without spaces, comments
local _ = 1
local _x, x_1, X, camelCase, __dunder = 1, 2, 3, 4, 5
print(1, _x + x_1 + X + camelCase + __dunder, _)
local t = {}
t["end"] = "kw-string-key"
t._while = 1
print(2, t["end"], t._while)
-- keyword-like names in method/field position must use brackets
t["if"] = function() return "if-fn" end
print(3, t["if"]())
-- operators glued together
local a,b=3,4
print(4, a+b*2-a/b, a..b, a==b, a~=b, a<=b, a>=b, a<b, a>b, -a^2, not a==b)
print(5, a//b, a%b, a&b, a|b, a~b, ~a, a<<b, a>>1, #"xy"+1)
print(6, 1--[[inline comment]]+2)
print(7, 2--[==[ another
multi-line ]==]*3)
-- comment at end of file without newline handled below
print(8, 3 - -3, 3- -3, - - -3, not not nil)
print(9, "a".."b".."c", 1 .."", 1.5 .."")
print(10, ({10, 20})[2], ("s"):rep(2), #{1, 2} + #"abc")
-- numbers followed by names/dots
print(11, 0xA, 0Xa, 1e2, 1E2, .5, 5., 3 .. 4)
-- semicolons, parenthesized expressions
local v = (((1)))
print(12, v, (("x")), ((nil)))
-- long nested function literals and immediate calls
print(13, (function(...) return select("#", ...) end)(1, 2, 3))
-- string call syntax
local function id(x) return x end
print(14, id"str", id[[long]], id{1}[1], type(id{}))
-- chained indexing and calls
local obj = {a = {b = {c = function() return {d = "deep"} end}}}
print(15, obj.a.b.c().d, obj["a"]["b"]["c"]()["d"])
-- _ENV is an upvalue of the main chunk
print(16, _ENV == _G, type(_ENV), _G._G == _G)
-- goto as a name? (it is a reserved word) -> check other reserved words are valid as strings
local reserved = {"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
                  "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"}
print(17, #reserved, table.concat(reserved, " "))
-- shebang-like first line is not supported inside the file body; comments with --[ not long
--[ this is a line comment, not a long one
print(18, "after --[ comment")
-- unicode in strings and comments: héllo wörld
print(19, "héllo", #"héllo")
-- last line is a comment without a trailing newline
print(20, "end") -- final comment
-- no newline at end