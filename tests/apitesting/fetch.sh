#!/usr/bin/env bash
# Fetch MediaWiki 1.39.17's own API tests (tests/api-testing of the orig tarball) from
# Debian's source package, at test time and outside the repository: nothing of MediaWiki
# (GPL) is vendored here.
#
# Usage: tests/apitesting/fetch.sh [CACHE_DIR]
#   CACHE_DIR defaults to $WIKIGATE_APITESTING_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/wikigate-apitesting.
# Prints the path of the extracted tests/api-testing directory on the last line of stdout.
#
# apt runs with a private configuration under CACHE_DIR (its own deb-src list for bookworm
# and bookworm-security, its own package lists), so the machine's apt sources and lists are
# left untouched; the deb-src entry is "added" only for these apt-get calls.
set -euo pipefail

UPSTREAM=1.39.17
CACHE=${1:-${WIKIGATE_APITESTING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wikigate-apitesting}}
DEST="$CACHE/mediawiki-$UPSTREAM/tests/api-testing"

if [ -f "$DEST/.complete" ]; then
    echo "$DEST"
    exit 0
fi

command -v apt-get >/dev/null || { echo "fetch.sh: apt-get is not installed" >&2; exit 2; }
command -v tar >/dev/null || { echo "fetch.sh: tar is not installed" >&2; exit 2; }

APT="$CACHE/apt"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/sources.list.d" "$CACHE/src"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$KEYRING" ] || { echo "fetch.sh: $KEYRING missing (package debian-archive-keyring)" >&2; exit 2; }
cat > "$APT/sources.list" <<SRC
deb-src [signed-by=$KEYRING] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$KEYRING] http://deb.debian.org/debian-security bookworm-security main
SRC
OPTS=(-o "Dir::Etc::SourceList=$APT/sources.list" -o "Dir::Etc::SourceParts=$APT/sources.list.d"
      -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
      -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")

apt-get "${OPTS[@]}" -qq update >&2
# The newest Debian revision of the reference's upstream version (1:1.39.17-1+deb12uN).
VERSION=$(apt-cache "${OPTS[@]}" showsrc mediawiki | sed -n 's/^Version: //p' \
          | grep -E "^1:${UPSTREAM//./\\.}-" | sort -V | tail -n1 || true)
[ -n "$VERSION" ] || { echo "fetch.sh: no mediawiki $UPSTREAM source package in bookworm" >&2; exit 3; }
(cd "$CACHE/src" && apt-get "${OPTS[@]}" -qq source --download-only "mediawiki=$VERSION" >&2)
ORIG="$CACHE/src/mediawiki_$UPSTREAM.orig.tar.gz"
[ -f "$ORIG" ] || ORIG=$(ls "$CACHE/src"/mediawiki_"$UPSTREAM".orig.tar.* 2>/dev/null | head -n1)
[ -n "$ORIG" ] && [ -f "$ORIG" ] || { echo "fetch.sh: no orig tarball for $UPSTREAM in $CACHE/src" >&2; exit 3; }

rm -rf "$CACHE/mediawiki-$UPSTREAM"
mkdir -p "$CACHE/mediawiki-$UPSTREAM"
TOP=mediawiki-$UPSTREAM  # the tarball's top directory
tar -xf "$ORIG" -C "$CACHE/mediawiki-$UPSTREAM" --strip-components=1 "$TOP/tests/api-testing"
[ -d "$DEST/action" ] || { echo "fetch.sh: $ORIG holds no tests/api-testing/action" >&2; exit 3; }
touch "$DEST/.complete"
echo "$DEST"
