/**
 * Shell script run once inside a new host's namespaces ($1 = host name,
 * $2 = lab name). It gives the host what the course's commands expect of a
 * machine of its own:
 * - its hostname (dockerd's Serf gossip uses it as the node name);
 * - a private /run, so /var/run/netns, /var/run/docker and the default
 *   docker.sock belong to this host;
 * - a sysfs of its own network namespace, with the machine's cgroup mounts
 *   put back on top: mounting sysfs hides /sys/fs/cgroup, and dockerd then
 *   fails with "Devices cgroup isn't mounted";
 * - private, memory-backed /var/lib/docker, /etc/docker, /var/lib/etcd,
 *   /root and /tmp, so
 *   nothing the host writes reaches the machine's disk and it all goes away
 *   with the mount namespace.
 * The tmpfs mounts carry the source name "overlab-<lab>" to be recognisable
 * in /proc/<pid>/mountinfo.
 */
export const HOST_SETUP_SCRIPT = String.raw`
set -eu
host="$1"
source="overlab-$2"
hostname "$host"
mount --make-rprivate /
mount -t tmpfs -o mode=755 "$source" /run
mkdir -p /run/lock /run/.cgroup
mount --rbind /sys/fs/cgroup /run/.cgroup
mount -t sysfs sysfs /sys
mount --move /run/.cgroup /sys/fs/cgroup
rmdir /run/.cgroup
for dir in /var/lib/docker /etc/docker /var/lib/etcd; do
  # NOTE: creates the directory on the machine's disk when docker.io has
  # not created it yet; the tmpfs on top keeps the lab's data off the disk.
  mkdir -p "$dir"
  mount -t tmpfs -o mode=711 "$source" "$dir"
done
mount -t tmpfs -o mode=700 "$source" /root
mount -t tmpfs -o mode=1777 "$source" /tmp
ip link set lo up
`;
