#!/usr/bin/env bash
# Run libvirtd and virtlogd for the Vagrant provider's tests, as root.
#   scripts/libvirt-daemon.sh start   start them (once) and print the network namespace to join
#   scripts/libvirt-daemon.sh stop    destroy their VMs and networks and stop them
#
# Both daemons run in a network namespace of their own, held by a bind mount
# at /run/NAME/net, and a mount namespace with a sysfs of that network
# namespace (libvirt reads bridges in /sys/class/net) and a qemu.conf of
# their own, which runs QEMU as root. With Debian's QEMU user (libvirt-qemu)
# and a /dev/kvm that only root may open, libvirt 9.0 records KVM in QEMU's
# capabilities and then finds KVM not usable by that user. It then probes
# QEMU again on every domain definition, which took 52 s here under load.
# Root also reads the box's kernel wherever VAGRANT_HOME is. Vagrant's management
# network and the lab's private network become bridges, dnsmasq instances
# and NAT rules in that namespace, never in the machine's root network
# namespace, and the namespace has no uplink. Vagrant, which connects to
# the VMs' management addresses over SSH, must run in it too:
#   nsenter --net=/run/NAME/net -- overlab start chapter-2 --provider vagrant
# The daemons' socket (/run/libvirt) and storage (/var/lib/libvirt) are the
# machine's usual ones, shared through the file system, so no other libvirtd
# may run.
#
# OVERLAB_LIBVIRT_NAME (default overlab-libvirt) names the run directory.
set -euo pipefail

name=${OVERLAB_LIBVIRT_NAME:-overlab-libvirt}
run_dir=/run/$name
netns=$run_dir/net

responds() {
  timeout 5 virsh --connect qemu:///system version >/dev/null 2>&1
}

fail() { echo "libvirt-daemon.sh: $*" >&2; exit 2; }

start() {
  if [ -f "$run_dir/launcher.pid" ] && kill -0 "$(cat "$run_dir/launcher.pid")" 2>/dev/null && responds; then
    echo "$netns (already running)"
    return
  fi
  [ "$(id -u)" -eq 0 ] || fail "run as root"
  for program in libvirtd virtlogd virsh dnsmasq qemu-system-x86_64; do
    command -v "$program" >/dev/null || fail "$program not found; apt-get install libvirt-daemon-system dnsmasq-base qemu-system-x86"
  done
  responds && fail "a libvirtd that this script did not start already answers on /run/libvirt; stop it first"
  mkdir -p "$run_dir"
  { cat /etc/libvirt/qemu.conf; printf 'user = "root"\ngroup = "root"\n'; } >"$run_dir/qemu.conf"
  if ! mountpoint -q "$netns"; then
    touch "$netns"
    unshare --net="$netns" true
  fi

  # As in docker-engine.sh: a fresh sysfs shows this namespace's links, and
  # the cgroup mounts, which libvirt puts each VM's QEMU in, go back on top.
  setsid nsenter --net="$netns" -- unshare --mount --propagation private --fork -- sh -c '
    set -e
    mkdir -p "$1/cgroup"
    mount --rbind /sys/fs/cgroup "$1/cgroup"
    mount -t sysfs sysfs /sys
    mount --move "$1/cgroup" /sys/fs/cgroup
    mount --bind "$1/qemu.conf" /etc/libvirt/qemu.conf
    ip link set lo up
    virtlogd &
    exec libvirtd
  ' libvirt "$run_dir" >"$run_dir/libvirtd.log" 2>&1 </dev/null &
  echo $! >"$run_dir/launcher.pid"

  for _ in $(seq 1 300); do
    if responds; then
      echo "$netns"
      return
    fi
    sleep 0.1
  done
  echo "libvirt-daemon.sh: libvirtd did not respond within 30 s; see $run_dir/libvirtd.log" >&2
  exit 1
}

stop() {
  [ -d "$run_dir" ] || return 0
  if responds; then
    # libvirtd leaves its VMs and dnsmasq instances running when it stops.
    for domain in $(virsh --connect qemu:///system list --name); do
      virsh --connect qemu:///system destroy "$domain" >/dev/null 2>&1 || true
    done
    for network in $(virsh --connect qemu:///system net-list --name); do
      virsh --connect qemu:///system net-destroy "$network" >/dev/null 2>&1 || true
    done
  fi
  if [ -f "$run_dir/launcher.pid" ]; then
    launcher=$(cat "$run_dir/launcher.pid")
    kill -TERM -- "-$launcher" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$launcher" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$launcher" 2>/dev/null || true
  fi
  # Whatever still runs in the namespace was started there by libvirt.
  if mountpoint -q "$netns"; then
    inode=$(stat -L --format=%i "$netns")
    for link in /proc/[0-9]*/ns/net; do
      [ "$(stat -L --format=%i "$link" 2>/dev/null)" = "$inode" ] || continue
      pid=${link#/proc/}
      kill -KILL "${pid%%/*}" 2>/dev/null || true
    done
    umount "$netns"
  fi
  rm -rf "$run_dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
