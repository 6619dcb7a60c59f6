//! Lua 5.4 front end: lexer, parser and compiler to slot bytecode.
