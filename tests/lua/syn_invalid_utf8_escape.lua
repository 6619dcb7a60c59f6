local s = "\u{80000000}"
