local limit <const> = 10
print(limit)
limit = 20
