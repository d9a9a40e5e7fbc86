#!/usr/bin/env bash
# Builds eventgateway_<version>_amd64.deb in the repository root: `gateway`
# in release mode with the Swift standard library linked statically, the
# systemd units, the configuration, the maintainer scripts.
# Fails when the binary needs a shared library outside the allowed set
# (above all any Swift runtime from a toolchain path).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-deb-deps.sh

# A build folder of its own: `make build` links the same release objects
# against the shared Swift runtime, and SwiftPM may keep that link.
swift build -c release --scratch-path .build-deb --product gateway --static-swift-stdlib --disable-local-rpath
binary=.build-deb/release/gateway
version="$("$binary" --version)"
scripts/check-ldd.sh "$binary"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/eventgateway" \
    "$root/usr/share/doc/eventgateway"
install -m 0755 "$binary" "$root/usr/bin/gateway"
strip --strip-unneeded "$root/usr/bin/gateway"
install -m 0644 packaging/systemd/eventgateway.service packaging/systemd/eventgateway.socket "$root/lib/systemd/system/"
install -m 0644 packaging/deb/gateway.conf "$root/etc/eventgateway/"
install -m 0644 README.md "$root/usr/share/doc/eventgateway/"

# gateway(1), written by ArgumentParser's generate-manual tool from the same
# help text as `gateway help serve` (the tool, not its plugin: the plugin
# rebuilds gateway its own way); dated by the last commit.
manual="$stage/manual"
mkdir -p "$manual" "$root/usr/share/man/man1"
swift build --product generate-manual >/dev/null
"$(swift build --show-bin-path)/generate-manual" "$binary" --output-directory "$manual" \
    --date "$(git log -1 --format=%cs 2>/dev/null || date -u +%F)" >/dev/null
gzip -9n < "$manual/gateway.1" > "$root/usr/share/man/man1/gateway.1.gz"
chmod 0644 "$root/usr/share/man/man1/gateway.1.gz"
install -m 0644 packaging/deb/conffiles "$root/DEBIAN/"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$root/DEBIAN/"

# Depends: what dpkg-shlibdeps reads off the binary's NEEDED entries; the
# libevent packages were renamed ...t64 after Debian 12 (either will do).
mkdir -p "$stage/src/debian"
printf 'Source: eventgateway\n\nPackage: eventgateway\nArchitecture: amd64\n' > "$stage/src/debian/control"
shlibs="$(cd "$stage/src" && dpkg-shlibdeps -O "$root/usr/bin/gateway" 2>/dev/null)"
depends="${shlibs#shlibs:Depends=}"
depends="$(sed -E 's/(libevent(-core|-pthreads)?-2\.1-7)( \([^)]*\))?/\1t64\3 | \1\3/g' <<<"$depends")"
installed_size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@DEPENDS@/$depends/" -e "s/@INSTALLED_SIZE@/$installed_size/" \
    packaging/deb/control.in > "$root/DEBIAN/control"

output="eventgateway_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$output" >/dev/null
echo "built $output"
dpkg-deb -I "$output"
