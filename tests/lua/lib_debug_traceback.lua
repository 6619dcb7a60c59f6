-- debug.traceback text (no addresses in it) and xpcall with traceback handler
local function lvl3() error("deep error") end
local function lvl2() lvl3() end
local function lvl1() lvl2() end
print(1, xpcall(lvl1, debug.traceback))
print(2, debug.traceback("msg"))
print(3, debug.traceback("msg", 2))
print(4, debug.traceback())
local t = {}
print(5, debug.traceback(t) == t)
local co = coroutine.create(function() coroutine.yield() end)
coroutine.resume(co)
print(6, debug.traceback(co))
print(7, debug.traceback(co, "comsg"))
local info = debug.getinfo(1, "Sl")
print(8, info.short_src, info.currentline, info.what, info.source)
local finfo = debug.getinfo(lvl1, "S")
print(9, finfo.linedefined, finfo.lastlinedefined, finfo.what)
print(10, debug.getinfo(print).what, debug.getinfo(print, "S").short_src)
