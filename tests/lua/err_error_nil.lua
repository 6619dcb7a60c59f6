-- uncaught: error() with nil
print("before")
error()
