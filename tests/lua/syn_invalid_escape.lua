print("ok")
local s = "bad \q escape"
