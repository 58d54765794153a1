#!/usr/bin/env bash
# Make a Vagrant VM a lab host, as root: the Vagrantfile uploads vm/ to
# /tmp/overlab-vm and runs this with the host's name, its underlay address
# (CIDR) and the MAC of its underlay NIC.
set -euo pipefail
name=${1:?usage: setup-vm.sh NAME ADDRESS/PREFIX MAC}
address=${2:?usage: setup-vm.sh NAME ADDRESS/PREFIX MAC}
mac=${3:?usage: setup-vm.sh NAME ADDRESS/PREFIX MAC}
here="$(cd "$(dirname "$0")" && pwd)"

fail() { echo "setup-vm.sh on $name: $*" >&2; exit 1; }

if [ "$here" != /usr/local/lib/overlab/vm ]; then
  rm -rf /usr/local/lib/overlab/vm
  mkdir -p /usr/local/lib/overlab
  cp -r "$here" /usr/local/lib/overlab/vm
  rm -rf "$here"
fi
/usr/local/lib/overlab/vm/provision.sh

echo "$name" >/etc/hostname
hostname "$name"
sed -i '/^127\.0\.1\.1 /d' /etc/hosts
echo "127.0.1.1 $name" >>/etc/hosts

# overlab logs in as root with the key Vagrant put in for its own user,
# saving a sudo per command.
install -d -m 700 /root/.ssh
install -m 600 /home/vagrant/.ssh/authorized_keys /root/.ssh/authorized_keys

# overlab starts the lab's daemons itself, with the topology's flags, and a
# chapter starts Serf. overlab's box has them disabled already; asking first
# saves the daemon reload that `systemctl disable` costs (half a minute
# under software emulation).
for unit in docker.service docker.socket containerd.service etcd.service serf.service; do
  if systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl is-active --quiet "$unit"; then
    systemctl disable --now "$unit" >/dev/null 2>&1 || true
  fi
done
mkdir -p /var/log/overlab

# The chapters' commands name the underlay NIC eth0.
nic=$(ip -o link | awk -v mac="$mac" 'tolower($0) ~ "link/ether " mac { sub(":$", "", $2); print $2 }')
[ -n "$nic" ] || fail "no NIC has the underlay MAC $mac"
[ "$nic" = eth0 ] || fail "the underlay NIC ($mac) is $nic, not eth0: the box must boot with net.ifnames=0 and the underlay NIC in the lowest PCI slot"

if systemctl is-active --quiet systemd-networkd; then
  # Sorts before the box's catch-all DHCP file, so it applies to eth0.
  cat >/etc/systemd/network/10-overlab-underlay.network <<NETWORK
[Match]
MACAddress=$mac

[Network]
Address=$address
LinkLocalAddressing=no
IPv6AcceptRA=no
NETWORK
  networkctl reload
  networkctl reconfigure eth0
else
  ip address replace "$address" dev eth0
  ip link set eth0 up
fi
for _ in $(seq 1 100); do
  ip -o -4 address show dev eth0 | grep -q " ${address%/*}/" && exit 0
  sleep 0.1
done
fail "eth0 did not get $address within 10 s"
