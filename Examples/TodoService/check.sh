#!/usr/bin/env bash
# What CI runs for this example (as root, on a clean Debian machine):
# installs PostgreSQL from Debian if missing, starts a throwaway cluster of
# its own (a temporary folder, loopback only, a free port; the system's
# cluster, if any, is left alone), creates the role and database the tests
# use, exports PG*, builds and runs the tests against it, runs the
# todo-service program once against it, and always stops the cluster.
#
# Also for a developer: `./check.sh` as root or as any user with PostgreSQL's
# server programs installed (then the cluster runs as that user).
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive

if ! ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then echo "check: PostgreSQL's server is not installed (apt-get install postgresql)" >&2; exit 1; fi
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi
bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

# initdb refuses to run as root: as root, the cluster is the postgres user's.
if [ "$(id -u)" = 0 ]; then as_owner=(runuser -u postgres --); else as_owner=(); fi
cluster="$(mktemp -d /tmp/todo-service-pg.XXXXXX)"
if [ "$(id -u)" = 0 ]; then chown postgres: "$cluster"; fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
stop_cluster() {
    if [ -f "$cluster/data/postmaster.pid" ]; then
        "${as_owner[@]}" "$bindir/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$cluster"
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

"${as_owner[@]}" "$bindir/initdb" -D "$cluster/data" -U postgres -A trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$cluster/initdb.log"
"${as_owner[@]}" "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c fsync=off" >/dev/null
# The role the service and its tests connect as (by password, over TCP);
# CREATEDB because each test makes a database of its own and drops it.
"${as_owner[@]}" "$bindir/psql" -q -v ON_ERROR_STOP=1 -h "$cluster" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE todo LOGIN CREATEDB PASSWORD 'todo'" -c "CREATE DATABASE todo OWNER todo"
echo "check: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (cluster in $cluster)"

export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=todo PGPASSWORD=todo PGDATABASE=todo

swift build --build-tests ${SWIFT_JOBS:+-j "$SWIFT_JOBS"}
swift test ${SWIFT_JOBS:+-j "$SWIFT_JOBS"}
