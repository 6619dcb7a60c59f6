//! Guest heap, values and the tier-0 interpreter.
