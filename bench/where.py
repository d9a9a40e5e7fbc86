#!/usr/bin/env python3
"""Where the instructions of one request go, function by function, for a
gateway against the C baseline (callgrind, user space):

    bench/where.py GATEWAY C_HELLO [--browser] [--top N] [-- EXTRA SERVE FLAGS]

Each binary serves N and 3N keep-alive GET /hello requests under callgrind
(as bench/instructions.py does); a function's cost per request is its self
cost in the second run minus the first, divided by 2N, so start-up cancels
out. Prints the cost per request by where the code lives (libc, libevent,
the Swift runtime, the gateway's own code) and the functions where the
gateway spends the most beyond C. Prints figures; asserts nothing.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import instructions  # noqa: E402

N = int(os.environ.get("REQUESTS", "2000"))


def self_costs(path):
    """{function: self instructions} from callgrind_annotate's function list."""
    text = subprocess.run(["callgrind_annotate", "--threshold=100", "--inclusive=no", path],
                          capture_output=True, text=True).stdout
    cut = text.find("annotated source")
    costs = {}
    for line in (text[:cut] if cut > 0 else text).splitlines():
        match = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*)", line)
        if not match or "PROGRAM TOTALS" in match.group(2):
            continue
        costs[match.group(2)] = costs.get(match.group(2), 0) + int(match.group(1).replace(",", ""))
    return costs


def per_request(binary, extra, flags):
    with tempfile.TemporaryDirectory() as scratch:
        runs = []
        for count in (N, 3 * N):
            out = os.path.join(scratch, f"callgrind.{count}")
            instructions.callgrind(binary, count, extra, flags, out)
            runs.append(self_costs(out))
    one, three = runs
    return {name: (three.get(name, 0) - one.get(name, 0)) / (2 * N) for name in set(one) | set(three)}


def place(name):
    if "libswift" in name:
        return "Swift runtime"
    if "libevent" in name:
        return "libevent"
    if "libc.so" in name or "ld-linux" in name or "libm.so" in name:
        return "libc"
    if "Sources/" in name or "<compiler-generated>" in name:
        return "own code"
    return "other"


def short(name):
    name = re.sub(r"\s*\[[^\]]*\]$", "", name)
    return re.sub(r"^(\./[^:]*|\?\?\?|/work/main/|//<compiler-generated>):?", "", name)[:100]


def main():
    arguments = sys.argv[1:]
    flags = arguments[arguments.index("--") + 1:] if "--" in arguments else []
    arguments = arguments[:arguments.index("--")] if "--" in arguments else arguments
    browser = "--browser" in arguments
    top = int(arguments[arguments.index("--top") + 1]) if "--top" in arguments else 25
    gateway, baseline = [a for a in arguments if not a.startswith("--") and not a.isdigit()][:2]
    extra = instructions.BROWSER if browser else ""
    ours, theirs = per_request(gateway, extra, flags), per_request(baseline, extra, [])
    print(f"request: {'browser-like' if browser else 'bare'}; instructions per request, self cost")
    print("| where | gateway | C |\n|---|---:|---:|")
    places = sorted({place(n) for n in ours} | {place(n) for n in theirs})
    for where in places:
        print(f"| {where} | {sum(v for n, v in ours.items() if place(n) == where):,.0f} "
              f"| {sum(v for n, v in theirs.items() if place(n) == where):,.0f} |")
    print(f"| total | {sum(ours.values()):,.0f} | {sum(theirs.values()):,.0f} |\n")
    merged = {}
    for source, side in ((ours, 0), (theirs, 1)):
        for name, value in source.items():
            merged.setdefault(short(name), [0.0, 0.0])[side] += value
    print("| function | gateway | C | more |\n|---|---:|---:|---:|")
    for name, (g, c) in sorted(merged.items(), key=lambda item: item[1][1] - item[1][0])[:top]:
        print(f"| `{name}` | {g:,.0f} | {c:,.0f} | {g - c:+,.0f} |")


if __name__ == "__main__":
    main()
