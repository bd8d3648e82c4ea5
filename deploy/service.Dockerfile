# Image of one service package in services/ (the gateway has its own,
# gateway/Dockerfile). The same image also runs the service's one-shot
# `<name>-migrate` job in docker-compose.yml, with another command.
#
# Build context is the repository root; SERVICE is the folder under services/
# (and the service's entry-point name), OPS_PORT the default of its config.yml:
#   docker build -f deploy/service.Dockerfile --build-arg SERVICE=cases \
#       --build-arg OPS_PORT=9103 -t enforcement-cases:dev .
#
# Python dependencies must install from wheels (e.g. psycopg2-binary, not
# psycopg2): the slim base image has no compiler and no libpq headers.
FROM python:3.11-slim

# No defaults: an image built without them would be nobody's.
ARG SERVICE
ARG OPS_PORT

# SERVICE stays in the image's environment because CMD reads it at run time
# (an exec-form CMD cannot expand build arguments).
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    SERVICE=${SERVICE} \
    OPS_PORT=${OPS_PORT} \
    OPS_HOST=0.0.0.0 \
    CONFIG=/etc/enforcement/config.yml \
    LOG_LEVEL=INFO

# Fail before copying anything when an argument is missing: an empty SERVICE
# would make the COPY below take the whole services/ folder.
RUN test -n "$SERVICE" && test -n "$OPS_PORT" \
    || { echo "build with --build-arg SERVICE=<name> --build-arg OPS_PORT=<port>" >&2; exit 1; }

# Unprivileged runtime user; a fixed numeric uid so that orchestrators can
# verify runAsNonRoot and volume ownership can be planned.
RUN groupadd --system --gid 10001 enforcement \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin enforcement

WORKDIR /build
COPY kernel/ kernel/
COPY contracts/ contracts/
COPY services/${SERVICE}/ services/${SERVICE}/
# One pip invocation so the local distributions satisfy each other's
# requirements (nothing named enforcement-* is ever looked up on an index).
# Regular (non-editable) installs: the source tree is removed afterwards.
# The entry-point check catches a SERVICE that names a folder but not the
# service the kernel would run. /var/lib/enforcement/documents belongs to the service's user: a volume mounted there
# (the cases service's document files) starts with that owner.
RUN pip install --no-cache-dir ./kernel ./contracts "./services/${SERVICE}" \
    && python -c "import sys, importlib.metadata as m; name = sys.argv[1]; sys.exit(None if name in m.entry_points(group='enforcement.services').names else 'no enforcement.services entry point named ' + name)" "$SERVICE" \
    && mkdir -p /etc/enforcement \
    && cp "services/${SERVICE}/${SERVICE}_service/config.yml" /etc/enforcement/config.yml \
    && chmod 0644 /etc/enforcement/config.yml \
    && install -d -o 10001 -g 10001 /var/lib/enforcement/documents \
    && cd / && rm -rf /build

WORKDIR /app
USER 10001:10001

# OPS_PORT serves /metrics, /health/live and /health/ready.
EXPOSE ${OPS_PORT}

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; r = u.urlopen('http://127.0.0.1:%s/health/live' % os.environ['OPS_PORT'], timeout=4); sys.exit(0 if r.status == 200 else 1)"]

# exec: enforcement-run replaces the shell, so it gets SIGTERM directly.
CMD ["sh", "-c", "exec enforcement-run \"$SERVICE\""]
