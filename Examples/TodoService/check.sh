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

# initdb refuses to run as root: as root, the cluster is the postgres user's
# (its commands run from the cluster's folder, which that user can read
# whatever the checkout's permissions are).
cluster="$(mktemp -d /tmp/todo-service-pg.XXXXXX)"
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$cluster"
    as_owner() { (cd "$cluster" && runuser -u postgres -- "$@"); }
else
    as_owner() { "$@"; }
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
stop_cluster() {
    if [ -f "$cluster/data/postmaster.pid" ]; then
        as_owner "$bindir/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$cluster"
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

as_owner "$bindir/initdb" -D "$cluster/data" -U postgres -A trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$cluster/initdb.log"
as_owner "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c fsync=off" >/dev/null
# The role the service and its tests connect as (by password, over TCP);
# CREATEDB because each test makes a database of its own and drops it.
as_owner "$bindir/psql" -q -v ON_ERROR_STOP=1 -h "$cluster" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE todo LOGIN CREATEDB PASSWORD 'todo'" -c "CREATE DATABASE todo OWNER todo"
echo "check: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (cluster in $cluster)"

export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=todo PGPASSWORD=todo PGDATABASE=todo

swift build --build-tests ${SWIFT_JOBS:+-j "$SWIFT_JOBS"}
swift test ${SWIFT_JOBS:+-j "$SWIFT_JOBS"}

# The program itself, as a user runs it: the schema made at start in the
# role's database, the API over HTTP, SIGTERM ends it with 0; a refused
# login stops the start with PostgreSQL's message and exit code 1.
if PGPASSWORD=wrong .build/debug/todo-service serve --port 0 >/dev/null 2>"$cluster/refused.log"; then
    echo "check: todo-service started with a wrong password" >&2; exit 1
fi
grep -q 'password authentication failed for user "todo"' "$cluster/refused.log" \
    || { echo "check: todo-service's error for a wrong password:" >&2; cat "$cluster/refused.log" >&2; exit 1; }
python3 - <<'PYTHON'
import json, re, subprocess, urllib.error, urllib.request
service = subprocess.Popen([".build/debug/todo-service", "serve", "--host", "127.0.0.1", "--port", "0"],
                           stdout=subprocess.PIPE, text=True)
try:
    line = service.stdout.readline()
    match = re.match(r"Serving on (http://127\.0\.0\.1:\d+)/", line)
    assert match, f"todo-service printed {line!r}"
    base = match.group(1)
    def call(method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(base + path, method=method, data=data,
                                         headers={"Content-Type": "application/json"} if data else {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
    status, headers, body = call("POST", "/todos", {"title": "check todo-service"})
    assert status == 201, (status, body)
    todo = json.loads(body)
    assert headers["Location"] == f"/todos/{todo['id']}", headers
    status, _, body = call("PATCH", f"/todos/{todo['id']}", {"completed": True})
    assert status == 200 and json.loads(body)["completed"] is True, (status, body)
    status, _, body = call("GET", "/todos")
    assert status == 200 and todo["id"] in [t["id"] for t in json.loads(body)], (status, body)
    status, _, _ = call("DELETE", f"/todos/{todo['id']}")
    assert status == 204, status
    status, _, body = call("GET", f"/todos/{todo['id']}")
    assert status == 404 and json.loads(body) == {"error": "no such todo"}, (status, body)
    status, headers, _ = call("DELETE", "/todos")
    assert status == 405 and headers["Allow"] == "GET, HEAD, POST", (status, headers)
finally:
    service.terminate()
    code = service.wait(timeout=30)
assert code == 0, f"todo-service exited {code} on SIGTERM"
print("check: todo-service created its schema, answered create/update/list/delete/404/405 and stopped with 0 on SIGTERM")
PYTHON
# The schema is the service's own, made at its start in the role's database.
as_owner "$bindir/psql" -q -At -h "$cluster" -p "$port" -U postgres -d todo \
    -c "SELECT tableowner FROM pg_tables WHERE tablename = 'todos'" | grep -qx todo \
    || { echo "check: the todos table is not in the todo database" >&2; exit 1; }
echo "check: todo-service builds, passes its tests against PostgreSQL and serves"
