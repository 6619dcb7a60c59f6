local s = "\u{zz}"
