"""Signed webhooks: admins register HTTPS endpoints for events; the worker delivers them."""
