#!/usr/bin/env lua5.4
-- a first line starting with "#" is skipped by the file loader; line numbers
-- still count it
print(1, "shebang skipped")
local t = nil
print(2, pcall(function() return t.x end))
error("line 7")
