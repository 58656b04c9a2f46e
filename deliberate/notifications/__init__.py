"""Notifications: the outbox, the worker that turns its events into deliveries, mail."""
