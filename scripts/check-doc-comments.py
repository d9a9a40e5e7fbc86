#!/usr/bin/env python3
"""Lists the public declarations without a doc comment (`///` or `/** */`
right above, attributes and other declarations' lines aside) in the Swift
files under the folders given; exits 1 when there is any.

    scripts/check-doc-comments.py Sources/GatewayEvent Sources/GatewaySocket

A declaration counts when a line starts (after indentation) with `public`
or `open`, or with attributes or modifiers and then one of those. Members of
a public protocol are public without saying so: a line inside a
`public protocol` body that declares `func`, `var`, `init`, `subscript`,
`associatedtype` or `static` counts too. Enum cases of a public enum count:
`case` lines inside a `public enum` body.
"""
import pathlib
import re
import sys

DECLARATION = re.compile(
    r"^\s*(@[\w().,: \"]+\s+)*(public(\([a-z]+\))?\s|open(\([a-z]+\))?\s+(\w+\s+)*(class|func|var|let|subscript|init)\b)")
ATTRIBUTE = re.compile(r"^\s*(@\w+(\([^)]*\))?\s*)+$")
PROTOCOL_MEMBER = re.compile(r"^\s*(@\w+\s+)*(static\s+|mutating\s+)*(func|var|init|subscript|associatedtype)\b")
CASE = re.compile(r"^\s*(indirect\s+)?case\s+\w")


def documented(lines, index):
    """True when a doc comment ends right above line `index` (attributes and blank-free)."""
    above = index - 1
    while above >= 0 and ATTRIBUTE.match(lines[above]):
        above -= 1
    if above < 0:
        return False
    text = lines[above].strip()
    return text.startswith("///") or text.endswith("*/")


def check(path):
    lines = path.read_text(encoding="utf-8").split("\n")
    missing = []
    # Bodies of public protocols and enums: (kind, depth at which the body's members stand).
    bodies = []
    depth = 0
    for index, line in enumerate(lines):
        code = re.sub(r"//.*$", "", line)
        code = re.sub(r'"(\\.|[^"\\])*"', '""', code)
        stripped = code.strip()
        inside = bodies[-1][0] if bodies and bodies[-1][1] == depth else None
        declares = bool(DECLARATION.match(code)) and not stripped.startswith("import ")
        if declares or (inside == "protocol" and PROTOCOL_MEMBER.match(code)) or (inside == "enum" and CASE.match(code)):
            # `public extension` and plain extensions are containers, not symbols of their own.
            if not re.search(r"\bextension\b", stripped) and not documented(lines, index):
                missing.append((index + 1, line.strip()))
        if declares and re.search(r"\bprotocol\b", stripped):
            bodies.append(("protocol", depth + 1))
        elif declares and re.search(r"\benum\b", stripped):
            bodies.append(("enum", depth + 1))
        depth += code.count("{") - code.count("}")
        while bodies and depth < bodies[-1][1]:
            bodies.pop()
    return missing


def main(folders):
    count = 0
    for folder in folders:
        for path in sorted(pathlib.Path(folder).rglob("*.swift")):
            for number, text in check(path):
                print(f"{path}:{number}: no doc comment: {text}")
                count += 1
    if count:
        print(f"{count} public declarations without a doc comment", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["Sources"]))
