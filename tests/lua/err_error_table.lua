-- uncaught: error with a table value (no __tostring)
print("raising")
error({code = 1})
