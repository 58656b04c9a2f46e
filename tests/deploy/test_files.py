"""The shipped deployment files agree with the app's settings and fill as documented (without
starting anything: tests/deploy/test_topology.py runs them)."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from config import BaseConfig
from deploy.topology import APP_UNIT, NGINX_SITE, PLACEHOLDER, ROOT, WORKER_UNIT, fill, read_unit

NAMES = {
    "DELIBERATE_ROOT": "/srv/deliberate",
    "DELIBERATE_USER": "deliberate",
    "DELIBERATE_ENV_FILE": "/etc/deliberate/deliberate.env",
}
UNITS = (APP_UNIT, WORKER_UNIT)


def test_nginx_refuses_bodies_over_the_apps_max_content_length():
    size = re.search(r"client_max_body_size (\d+)([km]?);", NGINX_SITE.read_text())
    assert size
    factor = {"": 1, "k": 1024, "m": 1024 * 1024}[size.group(2)]
    assert int(size.group(1)) * factor == BaseConfig.MAX_CONTENT_LENGTH


def test_every_name_the_files_use_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for path in (NGINX_SITE, *UNITS):
        for name in set(PLACEHOLDER.findall(path.read_text())):
            assert f"`{name}`" in readme or f"`{name}`," in readme, f"{name} ({path.name})"


def test_a_name_left_without_a_value_is_an_error_not_an_empty_string():
    with pytest.raises(ValueError, match="DELIBERATE_SERVER_NAME"):
        fill(NGINX_SITE.read_text(), {})


def test_nginx_own_variables_are_left_alone():
    site = fill(
        NGINX_SITE.read_text(), dict.fromkeys(PLACEHOLDER.findall(NGINX_SITE.read_text()), "x")
    )
    assert "$request_id" in site
    assert "$proxy_add_x_forwarded_for" in site
    assert PLACEHOLDER.search(site) is None


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_a_unit_runs_the_checkouts_virtualenv_in_production(unit: Path, tmp_path: Path):
    settings = tmp_path / "deliberate.env"
    settings.write_text("SECRET_KEY=from-the-file\n# a comment\nDATABASE_URL='postgresql://db/x'\n")
    service = read_unit(
        fill(unit.read_text(), {**NAMES, "DELIBERATE_ENV_FILE": str(settings)}), "8001"
    )
    assert service.command[0].startswith("/srv/deliberate/.venv/bin/")
    assert service.working_directory == Path("/srv/deliberate")
    assert service.environment["DELIBERATE_ENV"] == "production"
    assert service.environment["SECRET_KEY"] == "from-the-file"
    assert service.environment["DATABASE_URL"] == "postgresql://db/x"


def test_the_app_unit_is_gunicorn_with_its_config_on_the_instances_port(tmp_path: Path):
    settings = tmp_path / "deliberate.env"
    settings.write_text("")
    service = read_unit(
        fill(APP_UNIT.read_text(), {**NAMES, "DELIBERATE_ENV_FILE": str(settings)}), "8002"
    )
    assert service.command == [
        "/srv/deliberate/.venv/bin/gunicorn", "--config", "/srv/deliberate/gunicorn.conf.py",
    ]  # fmt: skip
    assert service.environment["DELIBERATE_BIND"] == "127.0.0.1:8002"
    assert service.environment["TRUSTED_PROXIES"] == "1"


def test_the_worker_unit_stops_the_queue_gracefully(tmp_path: Path):
    settings = tmp_path / "deliberate.env"
    settings.write_text("")
    service = read_unit(
        fill(WORKER_UNIT.read_text(), {**NAMES, "DELIBERATE_ENV_FILE": str(settings)})
    )
    assert service.command[-3:] == ["--app", "deliberate", "worker"]
    assert service.kill_signal == signal.SIGINT  # Huey's graceful stop
