-- require errors: not found (lua5.4's exact message), load errors, bad searchers
package.path = "./pkgmods/?.lua;./nothere/?.lua"
package.cpath = "./nothere/?.so"
print(1, pcall(require, "missing_mod"))
print(2, pcall(require, "a.b.c"))
local ok, err = pcall(require, "mod_syntax")
print(3, ok, err)
ok, err = pcall(require, "mod_error")
print(4, ok, err)
print(5, package.loaded.mod_error, package.loaded.mod_syntax)
package.path = ""
print(6, pcall(require, "mod_a"))
package.path = ";;"
print(7, pcall(require, "x"))
package.path = 42
print(8, pcall(require, "y"))
package.path = {}
print(9, pcall(require, "z"))
package.path = "./pkgmods/?.lua"
local saved = package.searchers
package.searchers = nil
print(10, pcall(require, "w"))
package.searchers = {}
print(11, pcall(require, "w"))
package.searchers = {function(name) return "\n\tcustom says no to " .. name end, function() return nil end,
  function() return 42 end}
print(12, pcall(require, "w"))
package.searchers = {function(name) return function(n, d) return "custom:" .. n .. ":" .. tostring(d) end, "data" end}
print(13, require("w"))
package.searchers = {function() error("searcher failed") end}
print(14, pcall(require, "v"))
package.searchers = saved
print(15, require("mod_a").value)
print(16, pcall(require, "mod_false_nope"))
