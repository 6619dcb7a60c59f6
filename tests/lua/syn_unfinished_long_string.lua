local s = [==[
unterminated long string
]=]
