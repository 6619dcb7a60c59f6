repeat
  if math then goto cont end
  local done = true
  ::cont::
until done
