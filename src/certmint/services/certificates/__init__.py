"""Certificates after issue: status changes, re-issues, name corrections, documents, exports,
public profiles.
"""
