#!/usr/bin/env python3
"""Runs the test command with the servers' log lines kept out of the way.

    scripts/test-output.py .build/test-server.log -- swift test [ARGS...]

The tests start hundreds of servers in the test process, and each logs to
stderr (its stop line, application errors, access log lines): in the
output of `swift test` they were over a third of the lines, and a failure
was hard to find among them. Lines in a server log's formats go to the log
file instead; everything else passes through as it comes. A failure's own
message is never filtered (it may quote a server's stderr on purpose).
On failure, the log's last lines are shown, then the failures once more, so
that they are the last thing on the screen. VERBOSE=1 passes everything.
"""
import os
import re
import subprocess
import sys

# A server's log lines: swift-log's default handler, an application error
# written to wsgi.errors, an access log line (Common Log Format).
SERVER_LOG = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} (trace|debug|info|notice|warning|error|critical) "
    r"|EventGateway: error in application "
    r"|\S+ \S+ \S+ \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] \")")
# Where a new record of the test runner starts (swift-testing's symbols, XCTest's words).
RUNNER = re.compile(r"^(◇|✔|✘|↳|Test Suite |Test Case |\t Executed )")
FAILURE = re.compile(r"^✘ ")
SHOWN_ON_FAILURE = 100


def main(arguments):
    if len(arguments) < 3 or arguments[1] != "--":
        print(__doc__.strip(), file=sys.stderr)
        return 2
    log_path, command = arguments[0], arguments[2:]
    os.makedirs(os.path.dirname(log_path) or ".", exist_ok=True)
    verbose = os.environ.get("VERBOSE") not in (None, "", "0")
    kept, failures = [], []
    in_failure = False
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for raw in process.stdout:
                line = raw.decode("utf-8", errors="replace")
                if RUNNER.match(line):
                    in_failure = bool(FAILURE.match(line))
                if FAILURE.match(line):
                    failures.append(line)
                if not verbose and not in_failure and SERVER_LOG.match(line):
                    log.write(line)
                    kept.append(line)
                    continue
                sys.stdout.write(line)
                sys.stdout.flush()
        except KeyboardInterrupt:
            pass
        status = process.wait()
    if kept:
        print(f"({len(kept)} server log lines kept out of the way, in {log_path})")
    if status != 0:
        if kept:
            print(f"\n== the last {min(len(kept), SHOWN_ON_FAILURE)} server log lines")
            sys.stdout.writelines(kept[-SHOWN_ON_FAILURE:])
        if failures:
            print("\n== failures")
            sys.stdout.writelines(failures)
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
