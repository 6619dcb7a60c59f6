-- uncaught: concatenate a table value (field)
local rec = {name = "n", tags = {}}
print("name: " .. rec.name)
print("tags: " .. rec.tags)
