-- uncaught: error("msg") with default level 1 from a global function
function validate(n)
  if n < 0 then error("negative value: " .. n) end
  return n
end
print(validate(5))
print(validate(-3))
