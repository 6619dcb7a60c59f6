-- uncaught: index a nil field, in a nested local function
local data = {user = {}}
local function city(d)
  return d.user.address.city
end
print(city(data))
