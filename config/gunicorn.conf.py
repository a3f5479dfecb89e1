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

# gunicorn 27's gthread worker drains at most 64 KB of a body the app did not read (a 401 or 413 answered
# before reading, say) and then closes the connection, although the response already promised keep-alive:
# the client's next request on it fails (measured: 40 of 40). Say "Connection: close" up front instead when
# the body is larger than that (an app's own "Connection" header is dropped by gunicorn as hop-by-hop).
_DRAIN_LIMIT = 64 * 1024


def pre_request(worker, req):
    length = next((value for name, value in req.headers if name == "CONTENT-LENGTH"), None)
    chunked = any(name == "TRANSFER-ENCODING" and "chunked" in value.lower() for name, value in req.headers)
    if chunked or (length is not None and (not length.isdigit() or int(length) > _DRAIN_LIMIT)):
        req.must_close = True
