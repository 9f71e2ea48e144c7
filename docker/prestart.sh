#!/bin/sh
# Runs once before the app starts (the `migrate` service in compose.yaml, or an init container):
# waits until DATABASE_URL accepts connections, then applies the migrations.
# DB_WAIT_S (default 60) bounds the wait. SEED_DEMO=1 also seeds the demo show and its demo accounts
# (known passwords: for trying Vitrine out, never for a real deployment).
set -eu

cd "$(dirname "$0")/.."

wait_s="${DB_WAIT_S:-60}"
deadline=$(( $(date +%s) + wait_s ))

# One connection attempt, at most 5 s. Exit 0: reachable; 1: not yet; 3: DATABASE_URL itself is wrong.
probe() {
  python - <<'PY'
import asyncio
import os
import sys

import sqlalchemy as sa

from server.infra.db import make_engine
from server.errors import ConfigError
from server.settings import DEFAULT_SQLITE_URL


async def connect() -> None:
    engine = make_engine(os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL)
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    finally:
        await engine.dispose()


try:
    asyncio.run(asyncio.wait_for(connect(), timeout=5))
except ConfigError as exc:
    print(f"prestart: {exc}", file=sys.stderr)
    sys.exit(3)
except Exception as exc:
    print(f"prestart: database not ready yet: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
    sys.exit(1)
PY
}

echo "prestart: waiting for the database (up to ${wait_s}s)"
while :; do
  status=0
  probe || status=$?
  if [ "$status" -eq 0 ]; then
    break
  fi
  if [ "$status" -eq 3 ]; then
    exit 3
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "prestart: the database did not answer within ${wait_s}s" >&2
    exit 1
  fi
  sleep 1
done

echo "prestart: database is up; migrating"
python -m server migrate

if [ "${SEED_DEMO:-0}" = "1" ]; then
  echo "prestart: seeding the demo (SEED_DEMO=1)"
  python -m server demo
fi
