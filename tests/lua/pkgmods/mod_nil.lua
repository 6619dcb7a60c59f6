-- a module returning nothing: require stores true
mod_nil_ran = true
