#!/usr/bin/env bash
# A throwaway PostgreSQL server for the registry tests, started as a non-root user on a free
# loopback port. Idempotent: a server this script started earlier and still running is reused.
# Runs as root (it may apt-get install postgresql). Only `export AIASSURE_TEST_POSTGRES_URL=...`
# goes to stdout (.ci/run evals it); everything else goes to stderr.
set -euo pipefail

state_file="/tmp/aiassure-ci-postgres.env"
os_user="aiassure-pg"
db_user="aiassure"
db_name="aiassure_test"

log() { echo "setup-postgres: $*" >&2; }

as_user() { runuser -u "$os_user" -- "$@"; }

# The folder holding initdb, pg_ctl and postgres together (pg_ctl starts the postgres beside it).
find_bindir() {
  local candidate
  if command -v initdb >/dev/null 2>&1; then
    candidate=$(dirname "$(readlink -f "$(command -v initdb)")")
    if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/postgres" ]; then
      echo "$candidate"
      return 0
    fi
  fi
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/postgres" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# Reuse the server of an earlier run if it still answers.
if [ -f "$state_file" ]; then
  # shellcheck disable=SC1090
  . "$state_file"
  if [ -n "${PG_BINDIR:-}" ] && [ -d "${PG_DATA:-/nonexistent}" ] \
    && as_user "$PG_BINDIR/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; then
    log "reusing the server in $PG_DATA on port $PG_PORT"
    echo "export AIASSURE_TEST_POSTGRES_URL=$PG_URL"
    exit 0
  fi
fi

if ! bindir=$(find_bindir); then
  log "installing postgresql from Debian's packages"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bindir=$(find_bindir) || { log "postgresql installed but initdb/pg_ctl/postgres not found"; exit 1; }
fi

if ! id -u "$os_user" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "$os_user"
fi

base=$(mktemp -d /tmp/aiassure-pg.XXXXXX)
chown "$os_user" "$base"
chmod 700 "$base"
password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$password" >"$base/pwfile"
chown "$os_user" "$base/pwfile"
chmod 600 "$base/pwfile"

as_user "$bindir/initdb" -D "$base/data" -U "$db_user" --pwfile="$base/pwfile" \
  --auth=scram-sha-256 --encoding=UTF8 --locale=C >&2
rm -f "$base/pwfile"

# A free port on the loopback interface, chosen by the kernel.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# fsync off: the data are disposable and the machine is small; crash tests kill clients, not the server.
as_user "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$base -c fsync=off" >&2

as_user env PGPASSWORD="$password" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$db_user" "$db_name" >&2

url="postgresql+psycopg://$db_user:$password@127.0.0.1:$port/$db_name"
cat >"$state_file" <<EOF
PG_BINDIR='$bindir'
PG_DATA='$base/data'
PG_PORT='$port'
PG_URL='$url'
EOF
chmod 600 "$state_file"
log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') running in $base/data on 127.0.0.1:$port"
echo "export AIASSURE_TEST_POSTGRES_URL=$url"
