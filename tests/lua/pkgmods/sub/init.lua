-- package directory with init.lua
return {kind = "init", args = select("#", ...)}
