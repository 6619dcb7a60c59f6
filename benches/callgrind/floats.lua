local N = 200
local maxIter = 50
local inside, checksum = 0, 0
for y = 0, N - 1 do
  local ci = 2.0 * y / N - 1.0
  for x = 0, N - 1 do
    local cr = 2.5 * x / N - 2.0
    local zr, zi, i = 0.0, 0.0, 0
    while i < maxIter and zr * zr + zi * zi <= 4.0 do
      zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
      i = i + 1
    end
    if i == maxIter then inside = inside + 1 end
    checksum = (checksum * 31 + i) % 1000000007
  end
end
print(inside, checksum)
