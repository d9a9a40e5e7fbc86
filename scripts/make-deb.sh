#!/usr/bin/env bash
# Packages a service built on EventGateway (its main.swift a GatewayCommand
# ServiceCommand) as a Debian package with hardened systemd units. Run it
# from the service's SwiftPM package, or point --package-path at it:
#
#   path/to/EventGateway/scripts/make-deb.sh --product ItemsService
#   path/to/EventGateway/scripts/make-deb.sh --product ItemsService --version 1.2.0 --name items
#
# It builds PRODUCT in release mode with the Swift standard library linked
# statically (in PACKAGE_PATH/.build-deb), checks with ldd that it needs no
# Swift runtime, and writes NAME_VERSION_ARCH.deb holding:
#
#   /usr/bin/PRODUCT                        the program, stripped
#   /usr/share/man/man1/*.1.gz              its manual, from the same help text (generate-manual)
#   /lib/systemd/system/NAME.service        Type=notify, user NAME, SIGHUP reload, SIGTERM drain, hardening
#   /lib/systemd/system/NAME.socket         ListenStream=LISTEN; starts the service (socket activation)
#   /etc/NAME/NAME.conf                     the settings `serve --config` reads (a conffile)
#   /usr/share/doc/NAME/copyright           machine-readable; the license, what is linked in
#   DEBIAN/postinst, prerm, postrm          system user NAME; the socket enabled and started; purge removes both
#
# Depends: comes from dpkg-shlibdeps. The templates are EventGateway's
# packaging/ folder; `make deb` makes the gateway's own package with this
# script (scripts/build-deb.sh).
#
# Options:
#   --product NAME        the SwiftPM executable product (required)
#   --version V           the package's version (default: what `PRODUCT --version` prints)
#   --name NAME           the Debian package, its units, system user and /etc folder
#                         (default: PRODUCT in lower case)
#   --package-path DIR    the service's package (default: the current folder)
#   --output DIR          where the .deb goes (default: the package's folder)
#   --config FILE         the settings file to ship as /etc/NAME/<its name>
#                         (default: packaging/deb/settings.conf.in as /etc/NAME/NAME.conf)
#   --listen ADDRESS      the socket unit's ListenStream= (default: 127.0.0.1:8000)
#   --summary TEXT        one line for `apt show` and the units (default: "NAME service")
#   --description-file F  the long description, paragraphs of plain text
#   --doc FILE            a file for /usr/share/doc/NAME/ (repeatable; default: the package's README.md)
#   --license ID          the service's license, an SPDX name (default: Apache-2.0)
#   --copyright TEXT      who holds the copyright (default: "NAME developers")
#   --maintainer TEXT     "Name <address>" (default: "NAME developers <root@localhost>")
#   --strict-libraries    only libc, libstdc++, libgcc, libevent and zlib may be linked
#                         (the gateway's own package)
#
# Why a script and not a SwiftPM command plugin: it runs apt-get,
# dpkg-shlibdeps, dpkg-deb and a second `swift build` with other flags
# (a plugin would need --allow-writing-to-package-directory and network
# permission, and would hold the build folder's lock while building); the
# same script serves `make deb` here and any service's own package.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

product="" version="" name="" package_path="." output="" config="" listen="127.0.0.1:8000"
summary="" description_file="" license="Apache-2.0" copyright="" maintainer="" strict=""
docs=()
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --product) product="$2"; shift 2 ;;
        --version) version="$2"; shift 2 ;;
        --name) name="$2"; shift 2 ;;
        --package-path) package_path="$2"; shift 2 ;;
        --output) output="$2"; shift 2 ;;
        --config) config="$2"; shift 2 ;;
        --listen) listen="$2"; shift 2 ;;
        --summary) summary="$2"; shift 2 ;;
        --description-file) description_file="$2"; shift 2 ;;
        --doc) docs+=("$2"); shift 2 ;;
        --license) license="$2"; shift 2 ;;
        --copyright) copyright="$2"; shift 2 ;;
        --maintainer) maintainer="$2"; shift 2 ;;
        --strict-libraries) strict=1; shift ;;
        -h|--help) usage ;;
        *) echo "make-deb: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ -n "$product" ] || { echo "make-deb: --product NAME is required (see --help)" >&2; exit 2; }
package_path="$(cd "$package_path" && pwd)"
output="$(cd "${output:-$package_path}" && pwd)"
name="${name:-$(tr 'A-Z_' 'a-z-' <<<"$product")}"
# Debian policy §5.6.1: lower case letters, digits, + - . ; two characters at least.
[[ "$name" =~ ^[a-z0-9][a-z0-9.+-]+$ ]] || { echo "make-deb: '$name' is not a Debian package name; give --name" >&2; exit 2; }
summary="${summary:-$name service}"
copyright="${copyright:-$name developers}"
maintainer="${maintainer:-$name developers <root@localhost>}"
if [ ${#docs[@]} -eq 0 ] && [ -f "$package_path/README.md" ]; then docs=("$package_path/README.md"); fi
for file in "$config" "$description_file" "${docs[@]}"; do
    [ -z "$file" ] || [ -f "$file" ] || { echo "make-deb: no file $file" >&2; exit 2; }
done

"$here/scripts/install-deps.sh"
"$here/scripts/install-deb-deps.sh"

# A build folder of its own: an ordinary release build links the same
# objects against the shared Swift runtime, and SwiftPM may keep that link.
scratch="$package_path/.build-deb"
swift build --package-path "$package_path" -c release --scratch-path "$scratch" --product "$product" \
    --static-swift-stdlib --disable-local-rpath
binary="$scratch/release/$product"
version="${version:-$("$binary" --version)}"
# Debian policy §5.6.12: starts with a digit; letters, digits, . + ~ - after.
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || { echo "make-deb: version '$version' is not a Debian version; give --version" >&2; exit 2; }
if [ -n "$strict" ]; then "$here/scripts/check-ldd.sh" "$binary"; else "$here/scripts/check-ldd.sh" --any-system-library "$binary"; fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
config_path="/etc/$name/${config:+$(basename "$config")}"
[ -n "$config" ] || config_path="/etc/$name/$name.conf"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/$name" "$root/usr/share/doc/$name" \
    "$root/usr/share/man/man1"
install -m 0755 "$binary" "$root/usr/bin/$product"
strip --strip-unneeded "$root/usr/bin/$product"

# The templates' @WORDS@, filled in (each value escaped for sed).
escaped() { sed -e 's/[|&\\]/\\&/g' <<<"$1"; }
fill() {
    sed -e "s|@PACKAGE@|$(escaped "$name")|g" -e "s|@BINARY@|$(escaped "$product")|g" \
        -e "s|@CONFIG@|$(escaped "$config_path")|g" -e "s|@SUMMARY@|$(escaped "$summary")|g" \
        -e "s|@LISTEN@|$(escaped "$listen")|g" "$1"
}
fill "$here/packaging/systemd/service.in" > "$root/lib/systemd/system/$name.service"
fill "$here/packaging/systemd/socket.in" > "$root/lib/systemd/system/$name.socket"
if [ -n "$config" ]; then cp "$config" "$root$config_path"; else fill "$here/packaging/deb/settings.conf.in" > "$root$config_path"; fi
for script in postinst prerm postrm; do
    fill "$here/packaging/deb/$script.in" > "$root/DEBIAN/$script"
    chmod 0755 "$root/DEBIAN/$script"
done
echo "$config_path" > "$root/DEBIAN/conffiles"
chmod 0644 "$root/lib/systemd/system/"* "$root$config_path" "$root/DEBIAN/conffiles"
for doc in "${docs[@]}"; do install -m 0644 "$doc" "$root/usr/share/doc/$name/"; done

# The manual: ArgumentParser's generate-manual tool (the tool, not its
# plugin: the plugin rebuilds the program its own way) over the built
# program, dated by the last commit.
mkdir -p "$stage/manual"
swift build --package-path "$package_path" --product generate-manual >/dev/null
"$(swift build --package-path "$package_path" --show-bin-path)/generate-manual" "$binary" --output-directory "$stage/manual" \
    --date "$(git -C "$package_path" log -1 --format=%cs 2>/dev/null || date -u +%F)" >/dev/null
for page in "$stage/manual/"*.1; do
    gzip -9n < "$page" > "$root/usr/share/man/man1/$(basename "$page").gz"
done
chmod 0644 "$root/usr/share/man/man1/"*

# copyright (Debian's machine-readable format): the service's license, and
# what the program links in statically, which ships inside it.
linked="$(swift package --package-path "$package_path" show-dependencies --format json 2>/dev/null \
    | python3 -c 'import json, sys
def walk(package, seen):
    for dependency in package.get("dependencies", []):
        if dependency["name"] not in seen:
            url = dependency["url"]
            seen[dependency["name"]] = "a local copy" if url.startswith("/") else url
            walk(dependency, seen)
seen = {}
walk(json.load(sys.stdin), seen)
for name, url in sorted(seen.items(), key=lambda item: item[0].lower()):
    print(f" {name} ({url})")')"
{
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: $name"
    echo "Comment: /usr/bin/$product links in, statically, the Swift standard library"
    echo " and Foundation (Apache-2.0 with the Runtime Library Exception) and code of"
    echo " the package's dependencies, each under its own license (build-time"
    echo " plugins among them are not linked in):"
    echo "${linked:- (none)}"
    echo
    echo "Files: *"
    echo "Copyright: $copyright"
    echo "License: $license"
    if [ "$license" = Apache-2.0 ]; then
        echo
        echo "License: Apache-2.0"
        echo " Licensed under the Apache License, Version 2.0 (the \"License\"); you may"
        echo " not use this file except in compliance with the License. Unless required"
        echo " by applicable law or agreed to in writing, software distributed under the"
        echo " License is distributed on an \"AS IS\" BASIS, WITHOUT WARRANTIES OR"
        echo " CONDITIONS OF ANY KIND, either express or implied. See the License for the"
        echo " specific language governing permissions and limitations under the License."
        echo " ."
        echo " On Debian systems, the complete text of the Apache License, Version 2.0"
        echo " can be found in \"/usr/share/common-licenses/Apache-2.0\"."
    fi
} > "$root/usr/share/doc/$name/copyright"
chmod 0644 "$root/usr/share/doc/$name/copyright"

# Depends: what dpkg-shlibdeps reads off the program's NEEDED entries; the
# libevent packages were renamed ...t64 after Debian 12 (either will do);
# passwd for the system user postinst creates.
arch="$(dpkg --print-architecture)"
mkdir -p "$stage/src/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: %s\n' "$name" "$name" "$arch" > "$stage/src/debian/control"
shlibs="$(cd "$stage/src" && dpkg-shlibdeps -O "$root/usr/bin/$product" 2>/dev/null)"
depends="${shlibs#shlibs:Depends=}"
depends="$(sed -E 's/(libevent(-core|-pthreads)?-2\.1-7)( \([^)]*\))?/\1t64\3 | \1\3/g' <<<"$depends")"
# The long description: each line indented by one space, an empty line as " .".
if [ -n "$description_file" ]; then
    long="$(sed -e 's/^$/./' -e 's/^/ /' "$description_file")"
else
    long="$(fold -s -w 72 <<<"$summary, built on EventGateway (PEP 3333 for Swift on libevent), with systemd units: $name.socket listens on $listen and starts $name.service, which reads its settings from $config_path." \
        | sed -e 's/ *$//' -e 's/^/ /')"
fi
{
    echo "Package: $name"
    echo "Version: $version"
    echo "Architecture: $arch"
    echo "Maintainer: $maintainer"
    echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
    echo "Depends: $depends, passwd"
    echo "Section: httpd"
    echo "Priority: optional"
    echo "Description: $summary"
    echo "$long"
} > "$root/DEBIAN/control"

deb="$output/${name}_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "built $deb"
dpkg-deb -I "$deb"
