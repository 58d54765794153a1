#!/usr/bin/env bash
# Install what overlab needs on Debian 12 or Ubuntu 22.04/24.04, as root,
# then install the npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (sudo -i, or sudo scripts/setup.sh)" >&2
  exit 2
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup.sh: Node.js 20.12 or later is required (found: $(node --version 2>/dev/null || echo none)); install it from your distribution or nodejs.org" >&2
  exit 2
fi

vm/provision.sh
# debootstrap: the container provider builds its host image with it.
# nft: the tests compare the machine's nftables ruleset before and after a lab.
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap nftables

npm ci
