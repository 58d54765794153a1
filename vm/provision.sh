#!/usr/bin/env bash
# Install the Debian packages of vm/packages.txt, and of any further lists
# named as arguments, as root. Shared by the machine that runs netns labs
# (scripts/setup.sh), the container provider's host image and the Vagrant
# box (build-rootfs.sh), and the Vagrant VMs' provisioning.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DEBIAN_FRONTEND=noninteractive
mapfile -t packages < <(grep -hvE '^\s*(#|$)' "$here/packages.txt" "$@")
# A VM made from overlab's box has every package already and may have no
# route to a mirror: ask apt only for what is missing.
mapfile -t installed < <(dpkg-query --show --showformat='${Status} ${Package}\n' "${packages[@]}" 2>/dev/null | sed -n 's/^install ok installed //p')
missing=()
for package in "${packages[@]}"; do
  [[ " ${installed[*]} " == *" $package "* ]] || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
