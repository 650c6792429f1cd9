"""Gunicorn settings for Zhengxie: `.venv/bin/gunicorn zhengxie.wsgi -c deploy/gunicorn.conf.py`.

Everything comes from the environment so one file serves every machine:

  GUNICORN_BIND       where to listen (default 127.0.0.1:8000; nginx proxies to it). Several, comma separated.
  WEB_CONCURRENCY     worker processes (default 2 x CPU cores + 1, at most 8)
  GUNICORN_THREADS    threads per worker (default 4: pages wait on the database more than on the CPU)
  GUNICORN_TIMEOUT    seconds before a stuck worker is restarted (default 60; exports run as tasks)
  GUNICORN_ACCESSLOG  access log file, "-" for stdout (default), "" to switch it off
  GUNICORN_ERRORLOG   error log file (default "-", stderr)
  GUNICORN_CONTROL_SOCKET  path of gunicorn's control socket (default: none, the socket is disabled)
  FORWARDED_ALLOW_IPS addresses of the proxy allowed to set X-Forwarded-* (default 127.0.0.1,::1)

The access log never contains query strings or referrers: they can carry search terms, names and
phone numbers (personal data under 等保 rules). The client address is X-Forwarded-For when nginx sets it.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "zhengxie.wsgi:application"
bind = [b.strip() for b in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if b.strip()]
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows large.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Uploads are limited by Django (UPLOAD_MAX_BYTES) and nginx (client_max_body_size).
limit_request_line = 8190

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

_control = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control:
    control_socket = _control
else:
    control_socket_disable = True

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# %(U)s is the path without the query string; no %(r)s (request line) and no %(f)s (referrer).
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
proc_name = "zhengxie"
