"""What an organisation offers: courses, batches and learners (imported), templates and the
achievements attached to batches.
"""
