-- nested module found through the '.' -> '/' substitution
return "leaf:" .. (...)
