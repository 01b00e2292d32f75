# Two stages: `builder` downloads the locked requirements, checking every file against its hash
# in requirements/base.lock (and builds a wheel for any package published only as source, with
# a compiler at hand); `runtime` installs only those wheels on a clean Python image, runs as a
# non-root user and carries the byte-compiled application and the collected static files.
#
# No `# syntax=` line: BuildKit (Docker 23 and later) and buildah/podman read this file with
# their built-in frontend, so an offline build fetches nothing but the base image.
#
# The base image is a tag by default. For builds that cannot change under you, pin it by
# digest (docs/operations.md, "Reproducible images"):
#   docker build --build-arg PYTHON_IMAGE=python:3.12-slim@sha256:<digest> .
ARG PYTHON_VERSION=3.12
ARG PYTHON_IMAGE=python:${PYTHON_VERSION}-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements/base.lock requirements/base.lock
RUN pip wheel --require-hashes --wheel-dir /wheels -r requirements/base.lock


FROM ${PYTHON_IMAGE} AS runtime
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

# Wheels come from the builder through a bind mount, so they never land in a layer. They are
# exactly the locked set (the builder checked their hashes; --no-deps adds nothing), and
# `pip check` proves it is complete.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --no-deps /wheels/*.whl \
    && pip check

# Layers from the least to the most often changed, so a template change rebuilds only the
# last small layer (not the byte-compiled code or collectstatic's tens of megabytes).
# Only what the portal needs at run time (no tests, docs, virtualenvs or local .env).
COPY manage.py pyproject.toml ./
COPY portal/ portal/
# Byte-compiled once here: the non-root user cannot write __pycache__ at run time.
RUN python -m compileall -q -j 0 portal manage.py
COPY static/ static/
# Hashed, compressed static files for whitenoise. The key only lets settings load here; the
# real one comes from the environment at run time.
RUN SECRET_KEY=collectstatic-only-not-a-runtime-key python manage.py collectstatic --noinput \
    && mkdir -p /app/var /shared /media \
    && chown -R portal:portal /app/var /shared /media
COPY templates/ templates/
COPY fixtures/ fixtures/

USER portal
EXPOSE 8000
VOLUME ["/shared", "/media"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Waits for the database, then execs the command (no shell stays as PID 1).
ENTRYPOINT ["/app/portal/core/entrypoint.sh"]
CMD ["gunicorn", "--config", "portal/gunicorn.conf.py"]
