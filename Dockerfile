# syntax=docker/dockerfile:1
# Two stages: `builder` turns the pinned requirements into wheels (with a compiler at hand for
# any package without one), `runtime` installs only those wheels on a clean python:3.12-slim,
# runs as a non-root user and carries the collected static files.
ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements/base.txt requirements/base.txt
RUN pip wheel --wheel-dir /wheels -r requirements/base.txt


FROM python:${PYTHON_VERSION}-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=false \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    SHARED_DIR=/shared \
    MEDIA_ROOT=/media
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal
WORKDIR /app

# Wheels come from the builder through a bind mount, so they never land in a layer.
COPY requirements/base.txt requirements/base.txt
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels -r requirements/base.txt

# Only what the portal needs at run time (no tests, docs, virtualenvs or local .env).
COPY manage.py pyproject.toml ./
COPY portal/ portal/
COPY templates/ templates/
COPY static/ static/
COPY fixtures/ fixtures/

# Hashed, compressed static files for whitenoise. The key only lets settings load here; the
# real one comes from the environment at run time.
RUN SECRET_KEY=collectstatic-only-not-a-runtime-key python manage.py collectstatic --noinput \
    && mkdir -p /app/var /shared /media \
    && chown -R portal:portal /app/var /shared /media

USER portal
EXPOSE 8000
VOLUME ["/shared", "/media"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Waits for the database, then execs the command (no shell stays as PID 1).
ENTRYPOINT ["/app/portal/core/entrypoint.sh"]
CMD ["gunicorn", "--config", "portal/gunicorn.conf.py"]
