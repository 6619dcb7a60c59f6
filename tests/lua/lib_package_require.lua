-- require: loading, caching, loader arguments, return values
package.path = "./pkgmods/?.lua;./pkgmods/?/init.lua"
local a, extra = require("mod_a")
print(1, a.value, a.name, a.file, extra)
print(2, require("mod_a") == a, mod_a_loads, select("#", require("mod_a")))
print(3, package.loaded.mod_a == a)
print(4, require("mod_nil"), mod_nil_ran, package.loaded.mod_nil)
print(5, require("mod_false"), package.loaded.mod_false)
print(6, require("mod_sets"), package.loaded.mod_sets)
local s, where = require("sub")
print(7, s.kind, s.args, where)
print(8, require("sub.leaf"))
print(9, require("mod_req").inner, mod_a_loads)
package.loaded.mod_a = nil
print(10, require("mod_a") ~= a, mod_a_loads)
package.loaded.fake = "preset"
print(11, require("fake"))
package.preload.pre = function(...) return {args = table.concat({...}, ",")} end
print(12, require("pre").args)
print(13, package.loaded.pre.args)
package.preload.pre2 = function() return nil end
print(14, require("pre2"), select(2, require("pre2")))
print(15, package.loaded.string == string, package.loaded.table == table, package.loaded._G == _G)
print(16, package.loaded.math == math, package.loaded.io == io, package.loaded.os == os)
print(17, package.loaded.utf8 == utf8, package.loaded.coroutine == coroutine, package.loaded.package == package)
print(18, type(package.searchers), #package.searchers >= 2, package.config)
print(19, require("mod_a").value)
print(20, pcall(require))
print(21, pcall(require, {}))
print(22, require(42 == 42 and "mod_nil"))
