#!/usr/bin/env bash
# Install what overlab needs on Debian 12 or Ubuntu 22.04/24.04, as root,
# then install the npm dependencies. Safe to run again.
#   scripts/setup.sh            the netns and container providers
#   scripts/setup.sh --vagrant  and the vagrant provider (Vagrant, libvirt, QEMU)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (sudo -i, or sudo scripts/setup.sh)" >&2
  exit 2
fi
vagrant=false
case "${1:-}" in
  '') ;;
  --vagrant) vagrant=true ;;
  *) echo "setup.sh: unknown option \"$1\"; use --vagrant or nothing" >&2; exit 2 ;;
esac

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup.sh: Node.js 20.12 or later is required (found: $(node --version 2>/dev/null || echo none)); install it from your distribution or nodejs.org" >&2
  exit 2
fi

# Package scripts must not start dockerd or libvirtd in the machine's root
# network namespace, where they would add bridges and firewall rules: the
# labs and the tests start them in namespaces of their own. An existing
# policy-rc.d is the machine's and is left as it is.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi

vm/provision.sh
# debootstrap: the container provider builds its host image with it.
# nft: the tests compare the machine's nftables ruleset before and after a lab.
packages=(debootstrap nftables)
# The vagrant provider: Vagrant with its libvirt plugin, libvirt and QEMU,
# dnsmasq for Vagrant's management network, and what builds overlab's box.
$vagrant && packages+=(vagrant vagrant-libvirt libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils dnsmasq-base e2fsprogs openssh-client)
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"

npm ci
