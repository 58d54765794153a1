#!/bin/bash
# Write to stdout a tarball of the container image the course's
# `docker run ... debian` commands use, made from this host's own programs
# and their shared libraries, so that no registry is needed:
#   vm/lab-image.sh | docker import - debian
# The programs: a shell, iproute2 (`ip -d`, `ip -j`), ping and sleep for the
# course's containers; the rest for a learner exploring inside one.
set -euo pipefail
programs="sh bash ip bridge ping sleep cat ls hostname ethtool ps"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
list="$stage/files"
: >"$list"

# Record a path under its canonical directory, and the file it resolves to:
# on a merged-/usr system /bin, /lib and /lib64 are symlinks into /usr, and
# libraries are symlinks from their soname to the versioned file.
add() {
  dir="$(realpath "$(dirname "$1")")"
  echo "$dir/$(basename "$1")" >>"$list"
  realpath "$1" >>"$list"
}

for program in $programs; do
  binary="$(command -v "$program")"
  add "$binary"
  # ldd prints "name => /path (0x...)" or "/path (0x...)" for the loader.
  ldd "$binary" 2>/dev/null | sed -n 's/^[^/]*\(\/[^ ]*\) (0x.*/\1/p' | while read -r library; do add "$library"; done
done
for link in /bin /sbin /lib /lib64; do
  [ -L "$link" ] && echo "$link" >>"$list"
done

mkdir -p "$stage/root/etc" "$stage/root/root" "$stage/root/tmp" "$stage/root/proc" "$stage/root/sys" "$stage/root/dev" "$stage/root/run"
echo 'root:x:0:0:root:/root:/bin/bash' >"$stage/root/etc/passwd"
echo 'root:x:0:' >"$stage/root/etc/group"
chmod 1777 "$stage/root/tmp"
sort -u "$list" | sed 's|^/||' >"$stage/sorted"
tar --create --numeric-owner --no-recursion --directory / --files-from "$stage/sorted" \
  | tar --extract --directory "$stage/root"
tar --create --numeric-owner --directory "$stage/root" .
