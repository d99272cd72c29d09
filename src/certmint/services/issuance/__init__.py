"""Awarding certificates: planning a job, running its chunks, signing and recording each award
exactly once.
"""
