-- uncaught: call an undefined global function
print("a")
undefinedFunction(1, 2)
print("b")
