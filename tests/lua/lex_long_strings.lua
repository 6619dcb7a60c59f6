-- Long strings and long comments at levels 0..3
local s0 = [[hello]]
print(1, s0, #s0)
local s1 = [=[a]]b]=]
print(2, s1, #s1)
local s2 = [==[x]=]y]]z]==]
print(3, s2, #s2)
local s3 = [===[
first newline skipped]===]
print(4, s3, #s3)
local s4 = [[

two lines: first newline skipped, second kept]]
print(5, s4, #s4, s4:byte(1))
-- escapes are not processed in long strings
local s5 = [[\n\t\\]]
print(6, s5, #s5)
-- long string containing quotes and brackets
local s6 = [==["'[[]]"']==]
print(7, s6, #s6)
--[[ a long
comment ]] print(8, "after long comment")
--[==[ level 2 comment ]] still comment ]==] print(9, "after level-2 comment")
--[=[
multi
line
]=]
print(10, "ok")
---[[ not a long comment, just a line comment
print(11, "line comment with [[ prefix")
--]]
local s8 = [===[]===]
print(13, #s8, s8 == "")
local s9 = [[]]
print(14, #s9)
-- nested-looking brackets of different levels
local s10 = [=[ [[ ]] [==[ ]==] ]=]
print(15, s10)
print(16, [[
]] == "")
print(17, #[[

]])
