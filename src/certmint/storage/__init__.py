"""Persistence: tables, migrations, repositories and the SQLAlchemy unit of work.

Repositories add and query; they never commit. Only ``services/`` decides when a unit of work
commits.
"""
