local x <mutable> = 1
