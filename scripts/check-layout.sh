#!/usr/bin/env bash
# The file-to-type map (issue #15): each Swift file under Sources/ is named
# after the primary declaration it holds, a type (struct, class, enum,
# protocol, actor, typealias) or, for the few files of one function or
# value, that function (`makeServer` in MakeServer.swift), compared
# ignoring case; a file of extensions only is named for what they add. Files of free functions or extensions that several
# declarations share are named for what they share and listed below.
# `make test` runs it; it prints each file that breaks the rule and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

# Files named for what their declarations share, not after one of them.
allowed=(
  Sources/Gateway/Util.swift                 # wsgiref.util: guessScheme, requestURI, shiftPathInfo, ...
  Sources/Gateway/HeaderRules.swift          # isHopByHop and the response-header check
  Sources/Gateway/StringComparison.swift     # ASCII case-insensitive comparison of header names
  Sources/GatewayHTTP/PercentDecoding.swift  # percentDecode, decodeText
  Sources/GatewayHTTP/DetachedThread.swift   # startDetachedThread, startEssentialThread
  Sources/GatewayHTTP/Timeval.swift          # timeval from seconds
  Sources/GatewayMiddleware/Forms/Cookies.swift         # parseCookies, parseCookieHeader
  Sources/GatewayMiddleware/ErrorCatcher.swift          # catchErrors and the error page it renders
  Sources/GatewayMiddleware/Forms/FormParser.swift      # parseForm over both form encodings
  Sources/GatewayMiddleware/Files/HTTPDateParser.swift  # parseHTTPDate, its three formats
  Sources/GatewayMiddleware/Forms/URLEncodedForm.swift  # parseQuery, formDecoded
)

status=0
while IFS= read -r file; do
  for entry in "${allowed[@]}"; do [[ "$file" == "$entry" ]] && continue 2; done
  name=$(basename "$file" .swift)
  [[ "$name" == main ]] && continue
  # Top-level declarations: no indentation, after any attributes and modifiers.
  declared=$(sed -nE 's/^((@[A-Za-z_()]+|public|package|internal|private|fileprivate|final|open|indirect|nonisolated|nonisolated\(unsafe\)) +)*(struct|class|enum|protocol|actor|typealias|func|let|var) +([A-Za-z_][A-Za-z0-9_]*).*/\4/p' "$file")
  # A file of extensions only is named for what they add (`extension Serve`
  # in SocketActivation.swift).
  [[ -z "$declared" ]] && grep -qE '^(public |package )?extension ' "$file" && continue
  if ! grep -qixF -- "$name" <<<"$declared"; then
    echo "check-layout: $file declares no type named $name (declares: $(echo $declared | tr '\n' ' '))"
    status=1
  fi
done < <(git ls-files 'Sources/*.swift'; git ls-files --others --exclude-standard 'Sources/*.swift')
[[ $status == 0 ]] && echo "check-layout: every file under Sources is named after its primary declaration"
exit $status
