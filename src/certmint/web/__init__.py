"""The HTTP layer: thin handlers that parse input, call one service and present the result."""
