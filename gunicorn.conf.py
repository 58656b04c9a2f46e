"""gunicorn's settings for production: `make serve`, the systemd unit (deploy/) and the test
topology all run the app with this file. Environment variables adjust it per host; command
line flags (`--bind`, `--workers`...) override it, as gunicorn's own do.

    DELIBERATE_BIND        where to listen (127.0.0.1:8000); behind nginx, a loopback address
    WEB_CONCURRENCY        sync workers (2 × the cores this process may use + 1)
    GUNICORN_TIMEOUT       seconds a worker may take on one request before it is replaced (30)
    GUNICORN_MAX_REQUESTS  requests after which a worker is replaced (1000; 0 never)
    GUNICORN_ACCESS_LOG    where the access log goes ("-", standard output: systemd's journal;
                           empty: no access log)

Settings reference: https://docs.gunicorn.org/en/stable/settings.html
"""

from __future__ import annotations

import os


def _cores() -> int:
    """The cores this process may run on (a container's or a CPU set's, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "deliberate:create_app()"
bind = [os.environ.get("DELIBERATE_BIND", "127.0.0.1:8000")]

# Sync workers: each answers one request at a time, and the app's requests are short and
# mostly CPU (rendering, argon2 at login) or waits on PostgreSQL. gunicorn's documentation
# suggests (2 × cores) + 1 to keep the cores busy while some workers wait.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)

# A worker silent this long is killed and replaced (a request stuck on a lock, a runaway
# count); nginx's proxy_read_timeout (deploy/nginx/deliberate.conf) is longer, so the client
# gets gunicorn's answer rather than nginx's.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
# On SIGTERM (systemctl stop, a deploy) or SIGHUP (systemctl reload), workers finish the
# requests they are answering, for at most this long, before they go; the systemd unit's
# TimeoutStopSec is longer.
graceful_timeout = 30
# Sync workers close the connection after each response; nginx opens a new one per request.
keepalive = 2

# Replace each worker after about this many requests (the jitter spreads the restarts, so the
# workers are never all starting at once): memory a worker grows stays bounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 1000)
max_requests_jitter = max_requests // 10

# The app decides which forwarded headers to believe (ProxyFix, TRUSTED_PROXIES in config.py),
# for exactly the hops configured. gunicorn's own handling would believe X-Forwarded-Proto,
# X-Forwarded-Ssl and X-Forwarded-Protocol from any local address, headers nginx passes on
# from the client unless told to drop them: turned off here.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}

# One line per request, with the request id nginx set (X-Request-ID) so that a request can be
# followed from nginx's log to gunicorn's; the address is the connection's (nginx's).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}i)s'
errorlog = "-"
# gunicorn's control socket (for its `gunicornc` client) is not used: systemd's signals are
# the interface (deploy/systemd), and two instances on one host would share its default path.
control_socket_disable = True
loglevel = "info"
# Responses name no version (see test_server_header).
proc_name = "deliberate"

# Prometheus metrics counted across the workers (deliberate/metrics, README "Metrics"): the
# master's hooks. With PROMETHEUS_MULTIPROC_DIR unset, each instance makes a private folder
# of its own and removes it when it stops.
from deliberate.metrics import child_exit, on_exit, on_starting  # noqa: E402, F401
