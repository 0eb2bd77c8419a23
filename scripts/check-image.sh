#!/usr/bin/env bash
# Proves the runtime stage of the Dockerfile without a Docker engine: builds a minimal Debian 12
# root with debootstrap, installs exactly deploy/runtime-packages.txt (the runtime stage's list),
# copies the three binaries and the bundled data in, runs amend-server inside it (chroot) on a
# tiny editor, and waits until `amend health` from outside answers SERVING. A missing runtime
# library fails the script (the binaries' dynamic loader refuses to start).
#
#   sudo scripts/check-image.sh            (needs root for debootstrap and chroot)
#
# The debootstrapped root is cached in $AMEND_IMAGE_CACHE (default /var/tmp/amend-image-root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh
amend_install_missing "${AMEND_BUILD_PACKAGES[@]}" debootstrap
amend_build >/dev/null
build=${AMEND_BUILD_DIR:-build}
cache=${AMEND_IMAGE_CACHE:-/var/tmp/amend-image-root}
root=$(mktemp -d /var/tmp/amend-image.XXXXXX)
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  for m in proc dev; do umount -R -l "$root/$m" 2>/dev/null || true; done
  if ! grep -q " $root/" /proc/mounts; then rm -rf --one-file-system "$root"; fi
  rm -rf "$work"
}
trap cleanup EXIT

mirror=$(sed -n 's/^URIs: //p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
if [[ ! -f $cache/.ok ]]; then
  echo "[check-image] debootstrap bookworm (minbase) into $cache"
  rm -rf "$cache"; mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$cache" "$mirror" > "$work/debootstrap.log" 2>&1
  touch "$cache/.ok"
fi
cp -a "$cache/." "$root/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"; mount --rbind /dev "$root/dev"

packages=$(grep -v '^#' deploy/runtime-packages.txt | tr '\n' ' ')
echo "[check-image] installing the runtime stage's packages: $packages"
chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends $packages" > "$work/apt.log" 2>&1 ||
  { tail -20 "$work/apt.log"; exit 1; }

install -m 755 "$build/server/amend-server" "$build/trainer/amend-trainer" "$build/client/amend" \
  "$root/usr/local/bin/"
mkdir -p "$root/usr/share/amend" && cp -r data "$root/usr/share/amend/data"

echo "[check-image] every binary starts inside the image"
for binary in amend-server amend-trainer amend; do
  chroot "$root" "/usr/local/bin/$binary" --help > "$work/$binary.help" 2>&1 ||
    [[ $? -le 2 ]] || { cat "$work/$binary.help"; exit 1; }
  if grep -q "error while loading shared libraries" "$work/$binary.help"; then
    cat "$work/$binary.help"; exit 1
  fi
done

echo "[check-image] a tiny zoo and editor, trained inside the image"
chroot "$root" /bin/sh -c "export OPENBLAS_NUM_THREADS=1 AMEND_DATA_DIR=/usr/share/amend/data
  amend-trainer zoo --task adult --runs 10 --epochs 4 --max_rows 512 --seed 1 --out /tmp/zoo
  amend-trainer train --task adult --requirement pruning --lambda 0.05 --steps 2 --hidden 8 \
    --layers 1 --eval_every 2 --max_test_rows 200 --zoo /tmp/zoo --out /editors/adult/pruning/0.05" \
  > "$work/train.log" 2>&1 || { tail -20 "$work/train.log"; exit 1; }

port=$(( 20000 + RANDOM % 20000 ))
echo "[check-image] amend-server inside the image on port $port"
chroot "$root" /usr/bin/env OPENBLAS_NUM_THREADS=1 /usr/local/bin/amend-server \
  --editors /editors --host 127.0.0.1 --port "$port" --metrics_port -1 --drain_seconds 0 \
  > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 150); do
  if "$build/client/amend" --server "127.0.0.1:$port" health > "$work/health" 2>&1; then
    cat "$work/health"
    echo "[check-image] OK: the runtime stage serves"
    exit 0
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.2
done
echo "[check-image] FAILED: amend-server in the image never answered SERVING" >&2
cat "$work/server.log" >&2
exit 1
