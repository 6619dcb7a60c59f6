-- io.read from stdin (see lib_io_read.stdin)
local l1 = io.read()
print(1, l1)
print(2, io.read("l"))
print(3, io.read("L"))
print(4, io.read("n"), io.read("n"))
print(5, io.read(5))
print(6, io.read("l"))
local count = 0
for line in io.lines() do
  count = count + 1
  print(7, count, line, #line)
end
print(8, io.read(), io.read("a"), io.read(0))
