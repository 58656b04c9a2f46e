"""The production topology of deploy/, started on this machine: nginx in front of two app
instances and the task worker, on a PostgreSQL database of its own and the local Redis.

Each piece runs from the very file shipped in deploy/, its ${DELIBERATE_...} names filled as
an operator fills them at install (envsubst with the list of names):
- nginx runs deploy/nginx/deliberate.conf, included in a small main file of the topology's
  own (its pid, logs and temporary paths, where Debian's /etc/nginx/nginx.conf would be), with
  a certificate made for 127.0.0.1 for the run: TLS as in production;
- the two app instances run deploy/systemd/deliberate@.service, the worker
  deploy/systemd/deliberate-worker.service: what systemd would run of them, their
  Environment=, EnvironmentFile=, WorkingDirectory=, ExecStart= and KillSignal= lines (with
  %i, the instance name, as the port). User=, the sandboxing lines and the restart policy are
  systemd's and are not imitated: processes run as the user starting the topology;
- the database is created on the PostgreSQL server given, brought to the head revision by
  `flask db upgrade` (the deploy step; or left at a given revision), and dropped at the end;
- Redis is shared: the rate-limit counters and the task queue use names of the run's own
  (RATELIMIT_KEY_PREFIX, TASK_QUEUE_NAME), deleted at the end.

It stops only the processes it started (by their ids), and it is what the tests of
tests/deploy run and what bench/bench_topology.py measures.

Run: python deploy/topology.py [--database postgresql://postgres@127.0.0.1:5432/postgres]
     [--redis redis://127.0.0.1:6379/0] [--https-port 8443] [--http-port 8080]
     [--app-ports 8001 8002] [--workers 2] [--no-demo]
(`make topology`) serves until interrupted, then stops everything and drops its database.
"""

from __future__ import annotations

import argparse
import getpass
import http.client
import os
import re
import secrets
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_SITE = ROOT / "deploy" / "nginx" / "deliberate.conf"
APP_UNIT = ROOT / "deploy" / "systemd" / "deliberate@.service"
WORKER_UNIT = ROOT / "deploy" / "systemd" / "deliberate-worker.service"
NGINX = Path("/usr/sbin/nginx")
OPENSSL = "/usr/bin/openssl"
DEFAULT_DATABASE_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
PLACEHOLDER = re.compile(r"\$\{(DELIBERATE_[A-Z_]+)\}")
# What systemd hands a service besides its own settings: a bare environment.
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "TZ")
START_SECONDS = 60


def fill(template: str, values: Mapping[str, str]) -> str:
    """The file with its ${DELIBERATE_...} names filled, as `envsubst '$NAME ...'` fills them
    (nginx's own $variables untouched); a name without a value is an error, not an empty
    string."""
    missing = sorted(set(PLACEHOLDER.findall(template)) - set(values))
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda found: values[found.group(1)], template)


@dataclass(frozen=True)
class Service:
    """What systemd runs of a unit's [Service] section."""

    command: list[str]
    working_directory: Path
    environment: dict[str, str]
    kill_signal: signal.Signals = signal.SIGTERM


def read_unit(text: str, instance: str = "") -> Service:
    """The command, directory and environment of a filled unit file (%i is `instance`)."""
    section, command, directory, kill = "", list[str](), ROOT, signal.SIGTERM
    environment = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Service]" or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.replace("%i", instance).replace("%%", "%")
        if key == "Environment":
            for assignment in shlex.split(value):
                name, _, setting = assignment.partition("=")
                environment[name] = setting
        elif key == "EnvironmentFile":
            optional = value.startswith("-")
            path = Path(value.removeprefix("-"))
            if path.exists() or not optional:
                environment.update(read_environment_file(path))
        elif key == "WorkingDirectory":
            directory = Path(value)
        elif key == "ExecStart":
            command = shlex.split(value)
        elif key == "KillSignal":
            kill = signal.Signals[value if value.startswith("SIG") else f"SIG{value}"]
    if not command:
        raise ValueError("the unit has no ExecStart=")
    return Service(command, directory, environment, kill)


def read_environment_file(path: Path) -> dict[str, str]:
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", ";")) and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip().strip("\"'")
    return values


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Ports:
    https: int = field(default_factory=free_port)
    http: int = field(default_factory=free_port)
    a: int = field(default_factory=free_port)
    b: int = field(default_factory=free_port)


@dataclass
class Process:
    """A process the topology started, and where its output goes."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    kill_signal: signal.Signals = signal.SIGTERM

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self, sign: int | None = None, timeout: float = 45) -> None:
        """Stop it as systemd would (the unit's KillSignal=), or with `sign`."""
        if self.running():
            self.popen.send_signal(self.kill_signal if sign is None else sign)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)

    def tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""


def get(port: int, path: str, tls: ssl.SSLContext | None = None, timeout: float = 5) -> int:
    """The status of a GET on 127.0.0.1 (0 if nothing answers)."""
    connection: http.client.HTTPConnection
    if tls is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    else:
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


class Topology:
    """nginx, two app instances and a worker, from deploy/'s files, in `workdir`."""

    def __init__(
        self,
        workdir: Path,
        database_url: str,
        redis_url: str = DEFAULT_REDIS,
        ports: Ports | None = None,
        workers: int = 2,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.database_url = database_url
        self.redis_url = redis_url
        self.ports = ports or Ports()
        self.name = f"topology-{secrets.token_hex(4)}"
        self.secret_key = secrets.token_urlsafe(32)
        self.workers = workers
        self.settings = dict(settings or {})
        self.processes: dict[str, Process] = {}
        self.certificate = workdir / "tls" / "certificate.pem"
        self.environment_file = workdir / "deliberate.env"
        self.nginx_log_dir = workdir / "nginx" / "logs"

    # --- what the files are filled with -----------------------------------------------------

    def unit_values(self) -> dict[str, str]:
        return {
            "DELIBERATE_ROOT": str(ROOT),
            "DELIBERATE_USER": getpass.getuser(),
            "DELIBERATE_ENV_FILE": str(self.environment_file),
        }

    def site_values(self) -> dict[str, str]:
        return {
            "DELIBERATE_ROOT": str(ROOT),
            "DELIBERATE_SERVER_NAME": "127.0.0.1",
            "DELIBERATE_HTTP_LISTEN": f"127.0.0.1:{self.ports.http}",
            "DELIBERATE_HTTPS_LISTEN": f"127.0.0.1:{self.ports.https}",
            "DELIBERATE_TLS_CERTIFICATE": str(self.certificate),
            "DELIBERATE_TLS_CERTIFICATE_KEY": str(self.certificate.with_name("key.pem")),
            "DELIBERATE_APP_A": f"127.0.0.1:{self.ports.a}",
            "DELIBERATE_APP_B": f"127.0.0.1:{self.ports.b}",
            "DELIBERATE_LOG_DIR": str(self.nginx_log_dir),
        }

    def app_settings(self) -> dict[str, str]:
        """The settings file's content: what an operator writes in DELIBERATE_ENV_FILE."""
        return {
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "RATELIMIT_STORAGE_URI": self.redis_url,
            "RATELIMIT_KEY_PREFIX": self.name,
            "TASK_QUEUE_URL": self.redis_url,
            "TASK_QUEUE_NAME": self.name,
            "SITE_URL": self.url,
            "MAIL_LETTERBOX": str(self.workdir / "mail"),
            "WEB_CONCURRENCY": str(self.workers),
            **self.settings,
        }

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.ports.https}"

    def tls(self) -> ssl.SSLContext:
        """A client context that trusts the run's certificate (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.certificate))

    # --- starting and stopping -----------------------------------------------------------------

    def prepare(self) -> None:
        """Files only: the certificate, the settings file, nginx's files."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.certificate.parent.mkdir(exist_ok=True)
        subprocess.run(  # noqa: S603 (a fixed command line)
            [
                OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                str(self.certificate.with_name("key.pem")), "-out", str(self.certificate),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.environment_file.write_text(
            "".join(f"{name}={value}\n" for name, value in self.app_settings().items())
        )
        self.environment_file.chmod(0o600)
        nginx = self.workdir / "nginx"
        for folder in ("logs", "temporary", "sites"):
            (nginx / folder).mkdir(parents=True, exist_ok=True)
        site = nginx / "sites" / NGINX_SITE.name
        site.write_text(fill(NGINX_SITE.read_text(), self.site_values()))
        temporary = nginx / "temporary"
        # Debian's /etc/nginx/nginx.conf in production; this one only says where the run's own
        # pid, logs and temporary files go, and includes the site as Debian's includes
        # sites-enabled/. One worker process: requests alternate between the two instances
        # strictly (round robin), which the tests use to reach each instance in turn.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (nginx / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {nginx / 'nginx.pid'};\n"
            f"error_log {nginx / 'logs' / 'error.log'};\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "    include /etc/nginx/mime.types;\n"
            "    default_type application/octet-stream;\n"
            "    sendfile on;\n"
            f"    client_body_temp_path {temporary / 'body'};\n"
            f"    proxy_temp_path {temporary / 'proxy'};\n"
            f"    fastcgi_temp_path {temporary / 'fastcgi'};\n"
            f"    uwsgi_temp_path {temporary / 'uwsgi'};\n"
            f"    scgi_temp_path {temporary / 'scgi'};\n"
            f"    include {site};\n"
            "}\n"
        )

    def run_flask(self, *arguments: str, settings: Mapping[str, str] | None = None) -> str:
        """A flask command with the worker unit's environment (`db upgrade` on deploy)."""
        service = read_unit(fill(WORKER_UNIT.read_text(), self.unit_values()))
        flask = Path(service.command[0])
        done = subprocess.run(  # noqa: S603 (our own command)
            [str(flask), "--app", "deliberate", *arguments],
            cwd=service.working_directory,
            env={**service.environment, **(settings or {})},
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def spawn(self, name: str, unit: Path, instance: str = "", **settings: str) -> Process:
        service = read_unit(fill(unit.read_text(), self.unit_values()), instance)
        if not Path(service.command[0]).exists():
            raise RuntimeError(f"{service.command[0]} is missing: run `make install` first")
        log = self.workdir / f"{name}.log"
        with log.open("ab") as output:
            popen = subprocess.Popen(  # noqa: S603 (the unit's own command)
                service.command,
                cwd=service.working_directory,
                env={**service.environment, **settings},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C at the terminal reaches the topology only
            )
        process = Process(name, popen, log, service.kill_signal)
        self.processes[name] = process
        return process

    def start_instance(self, name: str, port: int | None = None, **settings: str) -> Process:
        """An app instance (the app unit, instance `port`), once it answers /healthz."""
        port = port or {"a": self.ports.a, "b": self.ports.b}[name]
        process = self.spawn(name, APP_UNIT, str(port), **settings)
        self.wait(process, lambda: get(port, "/healthz") == 200)
        return process

    def stop_instance(self, name: str, sign: int | None = None) -> None:
        self.processes[name].stop(sign)

    def start_nginx(self) -> Process:
        nginx = self.workdir / "nginx"
        log = self.workdir / "nginx.log"
        with log.open("ab") as output:
            popen = subprocess.Popen(  # noqa: S603 (a fixed command line)
                [str(NGINX), "-p", str(nginx), "-c", str(nginx / "nginx.conf"), "-e",
                 str(nginx / "logs" / "error.log")],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        # SIGQUIT: nginx's graceful stop (it finishes the requests in hand).
        process = Process("nginx", popen, log, signal.SIGQUIT)
        self.processes["nginx"] = process
        self.wait(process, lambda: get(self.ports.https, "/healthz", self.tls()) == 200)
        return process

    def wait(self, process: Process, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + START_SECONDS
        while not ready():
            if not process.running() or time.monotonic() > deadline:
                raise RuntimeError(f"{process.name} did not start:\n{process.tail()}")
            time.sleep(0.1)

    def start(self) -> None:
        """The worker, the two instances and nginx (the database must exist)."""
        self.spawn("worker", WORKER_UNIT)
        self.start_instance("a")
        self.start_instance("b")
        self.start_nginx()
        if not self.processes["worker"].running():
            raise RuntimeError(f"the worker stopped:\n{self.processes['worker'].tail()}")

    def stop(self) -> None:
        """Stop what was started, nginx first; forget the run's keys in Redis."""
        for name in ("nginx", *reversed([n for n in self.processes if n != "nginx"])):
            process = self.processes.get(name)
            if process is not None:
                process.stop()
        self.forget_redis_keys()

    def forget_redis_keys(self) -> None:
        from redis import Redis

        client = Redis.from_url(self.redis_url, socket_connect_timeout=2, socket_timeout=5)
        try:
            keys = list(client.scan_iter(match=f"*{self.name}*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    # --- reading what happened ---------------------------------------------------------------

    def nginx_log(self) -> list[dict[str, str]]:
        """nginx's access log, a dict a line: the request id, the upstream and the status."""
        path = self.nginx_log_dir / "deliberate.access.log"
        lines = path.read_text().splitlines() if path.exists() else []
        entries = []
        for line in lines:
            entry = dict(re.findall(r"(\w+)=(\S*)", line))
            status = re.search(r'" (\d{3}) ', line)
            entry["status"] = status.group(1) if status else ""
            entries.append(entry)
        return entries

    def instance_of(self, upstream: str) -> str:
        """Which instance an upstream address of nginx's log is ("a", "b", or "" for none)."""
        last = upstream.split(",")[-1].strip()  # after a retry: "first, second"
        return {f"127.0.0.1:{self.ports.a}": "a", f"127.0.0.1:{self.ports.b}": "b"}.get(last, "")


@contextmanager
def database(server_url: str, name: str) -> Iterator[str]:
    """A database `name` on the PostgreSQL server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from config import database_url

    server = create_engine(database_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield (
            make_url(database_url(server_url))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@contextmanager
def running(
    server_url: str,
    redis_url: str = DEFAULT_REDIS,
    ports: Ports | None = None,
    workers: int = 2,
    demo: bool = False,
    workdir: Path | None = None,
    settings: Mapping[str, str] | None = None,
) -> Iterator[Topology]:
    """The whole topology on a new database (migrated to head, with the demo organization if
    asked), stopped and dropped afterwards."""
    with ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="topology-")))
        name = f"deliberate_topology_{os.getpid()}_{secrets.token_hex(3)}"
        uri = stack.enter_context(database(server_url, name))
        topology = Topology(workdir, uri, redis_url, ports, workers, settings)
        topology.prepare()
        topology.run_flask("db", "upgrade")
        if demo:
            topology.run_flask("demo")
        stack.callback(topology.stop)
        topology.start()
        yield topology


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE_SERVER, help="a PostgreSQL server")
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--https-port", type=int, default=8443)
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--app-ports", type=int, nargs=2, default=(8001, 8002))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--no-demo", action="store_true")
    options = parser.parse_args()
    ports = Ports(options.https_port, options.http_port, *options.app_ports)
    stopped = False

    def stop(_signal: int, _frame: object) -> None:
        nonlocal stopped
        stopped = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    with running(
        options.database, options.redis, ports, options.workers, demo=not options.no_demo
    ) as topology:
        print(f"nginx on {topology.url} (certificate: {topology.certificate})")
        print(f"app instances on 127.0.0.1:{ports.a} and 127.0.0.1:{ports.b}; files in "
              f"{topology.workdir}; Ctrl-C stops everything and drops the database")  # fmt: skip
        while not stopped and all(p.running() for p in topology.processes.values()):
            time.sleep(0.5)
        for process in topology.processes.values():
            if not process.running():
                print(f"{process.name} stopped:\n{process.tail()}", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
