-- a program with a .stdin file and arguments, using only the core library:
-- stdin content is not read (no io library in phase 1), args are printed
print(1, #arg, ...)
for i, v in ipairs(arg) do print(2, i, #v, v) end
