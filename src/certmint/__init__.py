"""Certmint: certificates that are designed documents and signed Open Badges 3.0 credentials."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("certmint")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
