::dup::
print(1)
::dup::
