-- os.exit(false) exits with status 1 without a message; buffered output is flushed
io.stdout:write("flushed\n")
io.write("no newline")
os.exit(false)
