"""Notifications: the e-mail outbox, preferences and digests."""
