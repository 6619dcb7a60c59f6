-- uncaught: index a nil global inside a global function
function lookup(key)
  return settings[key]
end
print("start")
lookup("x")
