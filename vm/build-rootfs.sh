#!/usr/bin/env bash
# Build a lab host's Debian 12 root file system with debootstrap and the same
# provisioning as the VMs (provision.sh), and write it as a tarball to $1.
# Further arguments name package lists installed on top of packages.txt.
# Run as root on Debian or Ubuntu with debootstrap installed. The container
# provider imports the tarball as its host image; build-box.sh makes the
# Vagrant box from it.
#
# OVERLAB_DEBIAN_MIRROR picks the mirror (default http://deb.debian.org/debian).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build-rootfs.sh OUTPUT.tar [PACKAGE-LIST...]}"
shift
extra=()
for list in "$@"; do extra+=("/usr/local/lib/overlab/vm/$(basename "$list")"); done
mirror="${OVERLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

command -v debootstrap >/dev/null || { echo "build-rootfs.sh: debootstrap not found; apt-get install debootstrap" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "build-rootfs.sh: run as root" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/var/tmp}/overlab-rootfs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"

debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}

mkdir -p "$root/usr/local/lib/overlab"
cp -r "$here" "$root/usr/local/lib/overlab/vm"
# Package scripts must not start daemons in the build: the host's entry
# point starts what a lab needs.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
# A mount namespace of its own keeps /proc and /dev mounted for the package
# scripts, and the kernel drops those mounts when the namespace's last
# process exits, even if the build is killed.
unshare --mount --propagation private -- sh -c '
  set -e
  mount -t proc proc "$1/proc"
  mount --rbind /dev "$1/dev"
  cp /etc/resolv.conf "$1/etc/resolv.conf"
  # A TMPDIR of the machine does not exist in the chroot, and package
  # scripts that call mktemp (ca-certificates) fail on it.
  unset TMPDIR
  root=$1
  shift
  chroot "$root" /usr/local/lib/overlab/vm/provision.sh "$@"
  # The containers image of the course, made once here rather than in every
  # lab: ldd over each program takes seconds in a container and tens of
  # seconds in a VM under software emulation.
  chroot "$root" bash /usr/local/lib/overlab/vm/lab-image.sh >"$root/usr/local/lib/overlab/lab-image.tar"
' build "$root" "${extra[@]}" >"$work/provision.log" 2>&1 || {
  tail -20 "$work/provision.log" >&2
  exit 1
}
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb

tar --create --file "$out.partial" --numeric-owner --directory "$root" .
mv "$out.partial" "$out"
