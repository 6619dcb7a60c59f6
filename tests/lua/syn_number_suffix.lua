local n = 12abc
