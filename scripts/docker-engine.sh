#!/usr/bin/env bash
# Run a Docker engine for the container provider's tests, as root.
#   scripts/docker-engine.sh start   start it (once) and print its DOCKER_HOST
#   scripts/docker-engine.sh stop    stop it, keeping its images in the data root
#   scripts/docker-engine.sh purge   stop it and remove its data root
#
# dockerd runs in network and mount namespaces of its own, so its bridges,
# docker0, iptables rules and container mounts never reach the machine's
# root network namespace or mount table. That namespace has no uplink: lab
# containers reach nothing outside the engine. Only the socket and the data
# root are shared with the machine, through the file system.
#
# OVERLAB_ENGINE_NAME (default overlab-engine) names the engine's run
# directory /run/NAME, its data root /var/lib/NAME and its cgroup parent, so
# that two engines can run side by side.
set -euo pipefail

name=${OVERLAB_ENGINE_NAME:-overlab-engine}
run_dir=/run/$name
data_root=/var/lib/$name
socket="$run_dir/docker.sock"
docker_host="unix://$socket"

responds() {
  DOCKER_HOST=$docker_host timeout 5 /usr/bin/docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

start() {
  if responds; then
    echo "DOCKER_HOST=$docker_host (already running)"
    return
  fi
  [ "$(id -u)" -eq 0 ] || { echo "docker-engine.sh: run as root" >&2; exit 2; }
  command -v dockerd >/dev/null || { echo "docker-engine.sh: dockerd not found; apt-get install docker.io" >&2; exit 2; }
  mkdir -p "$run_dir" "$data_root"

  # The fresh sysfs shows this namespace's own links, which libnetwork
  # reads in /sys/class/net. Mounting it hides /sys/fs/cgroup, so the cgroup
  # mounts are moved back on top, as for the netns provider's hosts.
  setsid unshare --net --mount --propagation private --fork -- sh -c '
    set -e
    mkdir -p "$3/cgroup"
    mount --rbind /sys/fs/cgroup "$3/cgroup"
    mount -t sysfs sysfs /sys
    mount --move "$3/cgroup" /sys/fs/cgroup
    ip link set lo up
    exec dockerd --host "$1" --data-root "$2" --exec-root "$3/exec" \
      --pidfile "$3/dockerd.pid" --cgroup-parent "/$4"
  ' engine "$docker_host" "$data_root" "$run_dir" "$name" >"$run_dir/dockerd.log" 2>&1 </dev/null &
  echo $! >"$run_dir/launcher.pid"

  for _ in $(seq 1 300); do
    if responds; then
      echo "DOCKER_HOST=$docker_host"
      return
    fi
    sleep 0.1
  done
  echo "docker-engine.sh: dockerd did not respond within 30 s; see $run_dir/dockerd.log" >&2
  exit 1
}

stop() {
  [ -f "$run_dir/launcher.pid" ] || return 0
  launcher=$(cat "$run_dir/launcher.pid")
  if kill -0 "$launcher" 2>/dev/null; then
    # SIGTERM to dockerd lets it stop its containers and containerd.
    [ -f "$run_dir/dockerd.pid" ] && kill -TERM "$(cat "$run_dir/dockerd.pid")" 2>/dev/null || true
    for _ in $(seq 1 300); do
      kill -0 "$launcher" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$launcher" 2>/dev/null || true
  fi
  rm -rf "$run_dir"
  # Containers killed with the engine leave their cgroups behind.
  for cgroup in /sys/fs/cgroup/*/"$name"; do
    [ -d "$cgroup" ] && find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  purge) stop; rm -rf "$data_root" ;;
  *) echo "usage: $0 start|stop|purge" >&2; exit 2 ;;
esac
