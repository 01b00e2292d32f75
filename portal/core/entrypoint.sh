#!/bin/sh
# Container entrypoint: wait until the database (and Redis, when REDIS_URL is set) answers,
# then replace this shell with the command, so the command is PID 1 and gets the signals.
set -eu

if [ "${WAIT_FOR_SERVICES:-true}" != "false" ]; then
    python manage.py wait_for_services --timeout "${WAIT_FOR_SERVICES_TIMEOUT:-60}"
fi

exec "$@"
