#!/usr/bin/env bash
# The whole job, side by side (issue 10): `vdi backup` of a sample database to 4 stripe files, against `cat` of the
# database's files into one file followed by `sync`, on the same disk, alternating within each round. Both read the
# files from the page cache (a first untimed pass warms it) and both end with the data on disk (the backup fsyncs
# each stripe at VDC_Flush and VDC_Complete, and renames them in place). Prints each round and the median ratio
# backup time / cat+sync time: at most 1.25 is the target.
#
#   bench/whole-job/backup-vs-cat.sh [SIZE [ROUNDS [DEVICES]]]     defaults: 1GiB 5 4
#
# Runs the Release build of the tool (built here first). The work directory is under the repository's artifacts/
# (a disk, where /tmp may be memory), removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
size=${1:-1GiB}
rounds=${2:-5}
devices=${3:-4}

dotnet build -c Release src/OpenVdi.Cli --nologo -v quiet >/dev/null
vdi=(dotnet src/OpenVdi.Cli/bin/Release/net10.0/vdi.dll)
work=$(mkdir -p artifacts && mktemp -d -p artifacts whole-job.XXXXXX)
work=$(cd "$work" && pwd)
engine=""
cleanup() {
  [ -n "$engine" ] && kill "$engine" 2>/dev/null && wait "$engine" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"${vdi[@]}" engine create-sample --name job --size "$size" --data "$work/data" --quiet
"${vdi[@]}" engine serve --data "$work/data" --socket "$work/engine.sock" --quiet &
engine=$!
for _ in $(seq 100); do [ -S "$work/engine.sock" ] && break; sleep 0.1; done
files=$(find "$work/data/job" -type f \( -name '*.mdf' -o -name '*.ndf' -o -name '*.ldf' \) | sort)

seconds() { local start=$1 end=$2; awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }'; }
cat_sync() {
  local start end
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  cat $files > "$work/cat.out"
  sync
  end=$(date +%s%N)
  rm -f "$work/cat.out"
  sync # untimed: the next run starts on a quiet disk, not behind this one's deferred work
  seconds "$start" "$end"
}
backup() {
  local start end
  start=$(date +%s%N)
  "${vdi[@]}" backup -d job --to "$work/backup" --devices "$devices" --quiet --socket "$work/engine.sock"
  end=$(date +%s%N)
  rm -rf "$work/backup"
  sync
  seconds "$start" "$end"
}

# Warm the page cache and the tool once, untimed.
cat_sync >/dev/null
backup >/dev/null

echo "vdi backup of a $size database to $devices stripes, against cat of its files + sync; $rounds rounds"
ratios=()
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then c=$(cat_sync); b=$(backup); else b=$(backup); c=$(cat_sync); fi
  r=$(awk -v b="$b" -v c="$c" 'BEGIN { printf "%.2f", b / c }')
  ratios+=("$r")
  echo "  round $round: backup ${b} s, cat+sync ${c} s, ratio ${r}"
done
# Threads per running BACKUP: the most each process had while one ran, against the engine's count when idle (a .NET
# process has a few of its own: finalizer, signals, tiered compilation, the thread pool's).
threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
idle_engine=$(threads "$engine")
"${vdi[@]}" backup -d job --to "$work/backup" --devices "$devices" --quiet --socket "$work/engine.sock" &
client=$!
max_client=0
max_engine=0
while kill -0 "$client" 2>/dev/null; do
  c=$(threads "$client"); e=$(threads "$engine")
  [ "$c" -gt "$max_client" ] && max_client=$c
  [ "$e" -gt "$max_engine" ] && max_engine=$e
  sleep 0.02
done
wait "$client"
rm -rf "$work/backup"
echo "threads while a $devices-device BACKUP runs: vdi backup $max_client; the engine $max_engine ($idle_engine when idle)"

median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
echo "median ratio (backup / cat+sync): $median (target: at most 1.25)"
