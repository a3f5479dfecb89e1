# MASTERY Tool: gunicorn, non-root, healthcheck on /health.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    INSTANCE_PATH=/var/lib/mastery HOST=0.0.0.0 PORT=5000
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /home/mastery --uid 10001 mastery \
 && mkdir -p /var/lib/mastery && chown mastery /var/lib/mastery
WORKDIR /app
COPY pyproject.toml README.md ./
COPY lti_tool ./lti_tool
# Only the .po catalogues are committed: compile them before the package is installed.
RUN pip install "babel>=2.16" && pybabel -q compile -d lti_tool/translations && pip install .
COPY config ./config
COPY migrations ./migrations
COPY content ./content
USER mastery
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:5000/health', timeout=4).status == 200 else 1)"
# Migrate and load content (both idempotent), then serve.
CMD ["sh", "-c", "python -m lti_tool db upgrade && python -m lti_tool content load && exec gunicorn -c config/gunicorn.conf.py 'lti_tool:create_app()'"]
