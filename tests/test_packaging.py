"""The installed package works from any directory, not only from the repository's root."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_flask_command_finds_the_app_and_its_config_from_another_directory(tmp_path):
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "FLASK_APP", "DELIBERATE_ENV"}
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "deliberate", "--help"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Error" not in output, output
    for command in ("demo", "create-admin", "tally", "close-due"):
        assert command in result.stdout, output
