"""Telling people: e-mail through the outbox (in the organisation's words) and signed webhooks."""
