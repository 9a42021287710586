"""gunicorn configuration for Opvangloket (production and the tests that serve through it).

Run from the checkout: ``gunicorn -c deploy/gunicorn.conf.py opvangloket.wsgi``.
"""

import multiprocessing
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

pythonpath = f"{ROOT},{ROOT / 'src'}"
chdir = str(ROOT)
bind = os.environ.get("OPVANGLOKET_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("OPVANGLOKET_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("OPVANGLOKET_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that a slow leak never takes a server down.
max_requests = 2000
max_requests_jitter = 200
# nginx on the same host sets X-Forwarded-Proto. Django (SECURE_PROXY_SSL_HEADER) trusts
# the header from anyone, which is safe only because gunicorn listens on 127.0.0.1 and
# nginx overwrites the header; this setting covers gunicorn's own view of the scheme.
forwarded_allow_ips = os.environ.get("OPVANGLOKET_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Django logs one structured line per request (opvangloket.request); no second access log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "opvangloket"
# gunicorn's control socket defaults to one path per user, shared by every gunicorn of that
# user; give each instance its own (OPVANGLOKET_CONTROL_SOCKET) or none at all.
control_socket = os.environ.get("OPVANGLOKET_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
