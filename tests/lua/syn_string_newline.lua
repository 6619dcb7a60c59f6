local s = 'first
second'
