-- Benchmark: table-heavy work (array sieve + hash-table inserts/lookups/deletes).
local N = tonumber(arg and arg[1]) or 2000000
-- sieve of Eratosthenes over an array part
local sieve = {}
for i = 2, N do sieve[i] = true end
for i = 2, N do
  if sieve[i] and i * i <= N then
    for j = i * i, N, i do sieve[j] = false end
  end
end
local primes, psum = 0, 0
for i = 2, N do if sieve[i] then primes = primes + 1; psum = psum + i end end
-- hash table with integer keys scattered by a multiplicative hash and string keys
local h = {}
local M = math.floor(N / 4)
for i = 1, M do h[(i * 2654435761) % 4294967296] = i end
local hits = 0
for i = 1, M do if h[(i * 2654435761) % 4294967296] == i then hits = hits + 1 end end
for i = 1, M, 2 do h[(i * 2654435761) % 4294967296] = nil end
local left = 0
for _ in pairs(h) do left = left + 1 end
local sh = {}
for i = 1, math.floor(M / 4) do sh["key" .. i] = i end
local ssum = 0
for i = 1, math.floor(M / 4) do ssum = ssum + sh["key" .. i] end
local check = primes .. " " .. psum .. " " .. hits .. " " .. left .. " " .. ssum
if N == 2000000 then
  assert(check == "148933 142913828922 500000 250000 7812562500", "sieve_hash checksum mismatch: " .. check)
end
print("sieve_hash " .. N .. ": " .. check)
