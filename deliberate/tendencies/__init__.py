"""Tendencies: organized currents with their own line, coordinators and members."""
