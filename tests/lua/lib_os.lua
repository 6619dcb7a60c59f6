-- os subset with deterministic results
print(1, type(os.time()), math.type(os.time()), type(os.clock()), math.type(os.clock()))
print(2, os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365 + 3661))
local d = os.date("!*t", 1700000000)
print(3, d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst)
print(4, os.date("!%A %B %j %p", 1700000000))
print(5, os.time({year = 2020, month = 1, day = 1, hour = 12}) - os.time({year = 2020, month = 1, day = 2, hour = 12}))
print(6, os.difftime(10, 4), math.type(os.difftime(10, 4)))
print(7, os.getenv("SLOTJIT_SURELY_UNDEFINED_VAR"), type(os.getenv("PATH")))
print(8, pcall(os.date, "%Ez", 0))
print(9, os.time({year = 2000, month = 14, day = 1, hour = 0}) == os.time({year = 2001, month = 2, day = 1, hour = 0}))
print(10, pcall(os.time, {year = 2000}))
local t0 = os.clock()
local x = 0
for i = 1, 100000 do x = x + i end
print(11, os.clock() >= t0)
print(12, type(os.tmpname), type(os.remove), type(os.rename), type(os.exit))
print(13, os.remove("surely/does/not/exist.txt"))
