-- a module that raises an error while loading
error("boom in module")
