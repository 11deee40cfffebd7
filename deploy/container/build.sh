#!/bin/sh
# Builds the qsign container image from local material only (no registry):
# a FROM-scratch root holding the Node.js runtime, the shared libraries it
# links (found with ldd), CA certificates, /etc/passwd with the unprivileged
# qsign user (uid 10001) and the built workspace (packages/*/dist and
# node_modules). Run from anywhere after `npx tsc -b`:
#   deploy/container/build.sh [IMAGE-TAG]        (default qsign:latest)
# PODMAN may name the podman command with its flags (the tests pass
# `podman --runtime runc --storage-driver vfs --cgroup-manager cgroupfs`).
set -eu
tag="${1:-qsign:latest}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
podman="${PODMAN:-podman}"
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/root"
mkdir -p "$root/usr/bin" "$root/etc/ssl/certs" "$root/app/packages" "$ctx/data"

# The runtime and every library it loads, at the same paths as on this host.
node="$(readlink -f "$(command -v node)")"
cp "$node" "$root/usr/bin/node"
for lib in $(ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0::/:/sbin/nologin\nqsign:x:10001:10001::/data:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nqsign:x:10001:\n' > "$root/etc/group"

# The built workspace: node_modules keeps its symlinks into packages/.
cp -a "$repo/package.json" "$root/app/"
cp -a "$repo/node_modules" "$root/app/"
for p in "$repo"/packages/*/; do
  name="$(basename "$p")"
  mkdir -p "$root/app/packages/$name"
  cp -a "$p/package.json" "$root/app/packages/$name/"
  [ -d "$p/dist" ] && cp -a "$p/dist" "$root/app/packages/$name/"
  [ -d "$p/node_modules" ] && cp -a "$p/node_modules" "$root/app/packages/$name/"
done
rm -rf "$root/app/node_modules/.cache"

cp "$here/Containerfile" "$ctx/Containerfile"
$podman build --quiet -t "$tag" -f "$ctx/Containerfile" "$ctx"
