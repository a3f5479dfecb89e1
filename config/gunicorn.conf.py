# Gunicorn settings for the MASTERY Tool (data, read by gunicorn -c; the app does not import it).
import os

bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Launches are CPU-bound (JWT, ORM, templates): more threads per worker only add GIL contention
# (measured with bench/launch.py: 2 threads 105 launches/s, 4 threads 75 launches/s on 2 cores).
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
# Never log query strings: LTI hints and tokens travel there.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# Behind a TLS proxy set TRUST_PROXY=true (the app applies ProxyFix); gunicorn trusts only loopback by default.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
