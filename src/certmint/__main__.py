"""``python -m certmint``."""

from certmint.cli import main

main()
