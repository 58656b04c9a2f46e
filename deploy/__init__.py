"""The deployment's files (nginx, systemd) and the topology that runs them (topology.py)."""
