#!/usr/bin/env bash
# Build the Vagrant box of overlab's VM lab hosts for the libvirt provider,
# where no box catalogue is at hand, and write it to $1 (a .box file):
#   vm/build-box.sh overlab.box && vagrant box add --name overlab/host overlab.box
#
# The root file system is build-rootfs.sh's (debootstrap, packages.txt and
# box-packages.txt), made into an ext4 disk image without a partition table
# or boot loader: the box's Vagrantfile has libvirt boot the kernel and
# initrd packed beside the disk, with root=/dev/vda.
#
# Run as root on Debian or Ubuntu with debootstrap, e2fsprogs, qemu-utils and
# vagrant installed (the box trusts Vagrant's well-known insecure key, which
# Vagrant replaces on a VM's first boot).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build-box.sh OUTPUT.box}"

fail() { echo "build-box.sh: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || fail "run as root"
command -v mkfs.ext4 >/dev/null || fail "mkfs.ext4 not found; apt-get install e2fsprogs"
command -v qemu-img >/dev/null || fail "qemu-img not found; apt-get install qemu-utils"
insecure_key=
for candidate in /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub /opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub; do
  [ -f "$candidate" ] && insecure_key=$candidate
done
[ -n "$insecure_key" ] || fail "Vagrant's insecure public key (keys/vagrant.pub) not found; install vagrant"

work="$(mktemp -d "${TMPDIR:-/var/tmp}/overlab-box.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
box="$work/box"
mkdir -p "$root" "$box"

"$here/build-rootfs.sh" "$work/rootfs.tar" "$here/box-packages.txt"
tar --extract --numeric-owner --file "$work/rootfs.tar" --directory "$root"
rm "$work/rootfs.tar"

echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$root/etc/fstab"
echo overlab >"$root/etc/hostname"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
# An empty machine ID makes systemd generate one at first boot. VMs cloned
# from one disk must not share it: networkd derives DHCP identities from it.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"

chroot "$root" useradd --create-home --shell /bin/bash vagrant
install -d -m 700 -o 1000 -g 1000 "$root/home/vagrant/.ssh"
install -m 600 -o 1000 -g 1000 "$insecure_key" "$root/home/vagrant/.ssh/authorized_keys"
echo 'vagrant ALL=(ALL) NOPASSWD: ALL' >"$root/etc/sudoers.d/vagrant"
chmod 440 "$root/etc/sudoers.d/vagrant"

# Each VM makes its own SSH host keys at first boot rather than sharing the
# ones made when openssh-server was installed: ECDSA and Ed25519 only, as an
# RSA key takes tens of seconds to make under software emulation.
rm -f "$root"/etc/ssh/ssh_host_*
mkdir -p "$root/etc/systemd/system/ssh.service.d"
cat >"$root/usr/local/sbin/overlab-host-keys" <<'SCRIPT'
#!/bin/sh
for type in ecdsa ed25519; do
  [ -f "/etc/ssh/ssh_host_${type}_key" ] || ssh-keygen -q -t "$type" -N "" -f "/etc/ssh/ssh_host_${type}_key"
done
SCRIPT
chmod 755 "$root/usr/local/sbin/overlab-host-keys"
printf '[Service]\nExecStartPre=\nExecStartPre=/usr/local/sbin/overlab-host-keys\nExecStartPre=/usr/sbin/sshd -t\n' >"$root/etc/systemd/system/ssh.service.d/host-keys.conf"
printf 'UseDNS no\nPermitRootLogin prohibit-password\nHostKey /etc/ssh/ssh_host_ecdsa_key\nHostKey /etc/ssh/ssh_host_ed25519_key\n' >"$root/etc/ssh/sshd_config.d/overlab.conf"

# Every NIC runs DHCP, including the management NIC through which Vagrant
# reaches the VM. The lab's underlay NIC gets its fixed address from a
# file that the Vagrantfile's provisioning adds, which sorts first and so
# takes precedence. The client identifier is the MAC: with the default (a
# DUID), VMs from one disk could be given the same address.
cat >"$root/etc/systemd/network/99-overlab-dhcp.network" <<'NETWORK'
[Match]
Name=eth*

[Network]
DHCP=ipv4
LinkLocalAddressing=no

[DHCPv4]
ClientIdentifier=mac
NETWORK
systemctl --root="$root" enable systemd-networkd.service ssh.service >/dev/null 2>&1
# The underlay NIC never gets a DHCP lease, so wait-online would hold the
# boot for two minutes.
systemctl --root="$root" mask systemd-networkd-wait-online.service >/dev/null 2>&1
# overlab starts the lab's daemons with the topology's flags, and a chapter
# starts Serf itself.
systemctl --root="$root" disable docker.service docker.socket containerd.service etcd.service serf.service >/dev/null 2>&1
# Boot time under software emulation: AppArmor profiles of packages no lab
# uses (Docker loads its own profile when it starts) and the file system
# scrubbers take a minute between them.
systemctl --root="$root" mask apparmor.service e2scrub_reap.service e2scrub_all.timer fstrim.timer apt-daily.timer apt-daily-upgrade.timer man-db.timer >/dev/null 2>&1

# An initrd with just what mounts the root file system: with the default
# (most drivers) it is 35 MB, and unpacking it costs seconds under emulation.
printf 'virtio_pci\nvirtio_blk\next4\n' >"$root/etc/initramfs-tools/modules"
echo MODULES=list >"$root/etc/initramfs-tools/conf.d/overlab"
chroot "$root" update-initramfs -u -k all >/dev/null 2>&1

kernel="$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)"
initrd="$root/boot/initrd.img-${kernel##*/vmlinuz-}"
[ -f "$initrd" ] || fail "no initrd for $kernel"
cp "$kernel" "$box/vmlinuz"
cp "$initrd" "$box/initrd.img"

# mke2fs fills the file system from the directory (e2fsprogs 1.43 and later):
# no loop device or mount is needed.
mkfs.ext4 -q -F -L overlab-root -d "$root" "$work/disk.raw" 8G >/dev/null
qemu-img convert -O qcow2 "$work/disk.raw" "$box/box.img"
rm "$work/disk.raw"

printf '{"provider": "libvirt", "format": "qcow2", "virtual_size": 8}\n' >"$box/metadata.json"
cat >"$box/Vagrantfile" <<'VAGRANTFILE'
# The box boots its own kernel: its disk has no boot loader.
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |libvirt|
    libvirt.kernel = File.join(__dir__, "vmlinuz")
    libvirt.initrd = File.join(__dir__, "initrd.img")
    # net.ifnames=0 names NICs eth0, eth1... in PCI order, so that the lab's
    # Vagrantfile can put the underlay NIC first and make it eth0.
    libvirt.cmd_line = "root=/dev/vda rw console=ttyS0 quiet net.ifnames=0"
  end
end
VAGRANTFILE

tar --create --file "$out.partial" --directory "$box" metadata.json Vagrantfile vmlinuz initrd.img box.img
mv "$out.partial" "$out"
