-- no script arguments
print(1, arg[0], #arg, arg[1], select("#", ...))
print(2, type(arg[-1]))
print(3, next({...}))
