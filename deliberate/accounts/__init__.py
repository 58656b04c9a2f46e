"""Members, login, invitations, password resets and roles."""
