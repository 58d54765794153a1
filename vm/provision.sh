#!/usr/bin/env bash
# Install the Debian packages of vm/packages.txt, as root. Shared by the
# machine that runs netns labs (scripts/setup.sh) and by lab hosts that are
# containers or VMs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DEBIAN_FRONTEND=noninteractive
mapfile -t packages < <(grep -vE '^\s*(#|$)' "$here/packages.txt")
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
