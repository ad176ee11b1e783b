"""gunicorn's configuration for `make serve` and for production:
    gunicorn -c config/gunicorn_conf.py config.wsgi

Each setting can be changed from the environment without editing this file:
GUNICORN_BIND (127.0.0.1:8000; a proxy in front terminates HTTPS), GUNICORN_WORKERS (2 × cores + 1),
GUNICORN_THREADS (1: sync workers), GUNICORN_TIMEOUT (30 s: a request that takes longer is killed,
which is why the exports past their synchronous cap run as export jobs), GUNICORN_MAX_REQUESTS
(2,000, with jitter: each worker is replaced after that many requests, so that memory stays flat).

Sync workers, one per core and one spare: the requests are CPU-bound (the ORM, DRF, templates) with
short database waits, and each worker keeps its PostgreSQL connection (CONN_MAX_AGE, settings).
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a proxy on the same host: trust its X-Forwarded-* headers (set DJANGO_NUM_PROXIES too).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
