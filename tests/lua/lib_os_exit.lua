print("before exit")
io.write("partial line")
os.exit(7)
print("not reached")
