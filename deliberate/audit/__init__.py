"""The append-only log of convener and admin actions."""
