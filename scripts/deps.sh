#!/bin/sh
# Make sure the build's dependencies are installed, then write the compiler
# flags pkg-config gives for them to the makefile fragment named by $1.
# Installs with apt-get when run as root (one `apt-get update` first); otherwise
# stops and prints the exact command to run. Called by the Makefile whenever
# its fragment is missing, and by `make deps`.
set -eu
out=${1:-build/deps.mk}
pkgs="libgsl-dev libcmocka-dev libyaml-dev gnuplot-nox pkg-config"

missing() {
    command -v pkg-config >/dev/null 2>&1 || { echo pkg-config; }
    if command -v pkg-config >/dev/null 2>&1; then
        pkg-config --exists gsl || echo libgsl-dev
        pkg-config --exists cmocka || echo libcmocka-dev
        pkg-config --exists yaml-0.1 || echo libyaml-dev
    else
        echo libgsl-dev libcmocka-dev libyaml-dev
    fi
    command -v gnuplot >/dev/null 2>&1 || echo gnuplot-nox
}

need=$(missing | tr '\n' ' ' | sed 's/ *$//')
if [ -n "$need" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "deps: installing $need" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $need >&2
    else
        echo "deps: missing: $need" >&2
        echo "deps: run:  sudo apt-get update && sudo apt-get install -y $pkgs" >&2
        exit 1
    fi
fi
need=$(missing | tr '\n' ' ' | sed 's/ *$//')
if [ -n "$need" ]; then
    echo "deps: still missing after install: $need" >&2
    exit 1
fi
mkdir -p "$(dirname "$out")"
tmp="$out.tmp"
{
    echo "# written by scripts/deps.sh; delete to re-check the dependencies"
    echo "PKG_CFLAGS := $(pkg-config --cflags gsl yaml-0.1)"
    echo "PKG_LIBS := $(pkg-config --libs gsl yaml-0.1)"
    echo "CMOCKA_CFLAGS := $(pkg-config --cflags cmocka)"
    echo "CMOCKA_LIBS := $(pkg-config --libs cmocka)"
} >"$tmp"
mv "$tmp" "$out"
