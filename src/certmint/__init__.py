"""Certmint."""
