"""What pages show, read-only and scoped to the principal: kept apart from the use cases that
change state.
"""
