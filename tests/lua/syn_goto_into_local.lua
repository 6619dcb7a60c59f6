do
  goto later
  local x = 1
  ::later::
  print(x)
end
