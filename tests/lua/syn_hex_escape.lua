local s = "\xZZ"
