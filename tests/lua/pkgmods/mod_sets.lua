-- a module that sets package.loaded itself and returns nothing
package.loaded[...] = "set by module"
