-- os.exit(true) / os.exit() exit with status 0
print(1)
os.exit(true, true)
print(2)
