local f <close> = nil
f = 1
