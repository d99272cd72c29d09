"""Use cases. Each opens a unit of work, commits at most once and returns plain values.

This is the only layer that combines storage, credentials and rendering, and the only one that
commits.
"""
