"""Plain domain objects and pure rules: no SQL, HTTP or file access.

Everything here is a frozen dataclass, an enum or a pure function, so the rules can be tested
without any infrastructure and reused by every entry point.
"""
