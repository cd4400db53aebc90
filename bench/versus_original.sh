#!/usr/bin/env bash
# Ours against the original vantage6 4.15.2, side by side, in one run on this machine: the
# closed-loop generator (pair.sh: 8 clients, 10 organizations, 200 tasks) and wrk's tail
# latency (tail.sh: 1, 2, 16 and 64 keep-alive connections), each on fresh servers, ours as
# shipped (`pserve development.ini`), the original under uWSGI as in its image.
#
#   bench/versus_original.sh [SECONDS]          results in $OUT (default: a new temp folder)
#
# Needs the scripts of ../shared/original-bench (ORIGINAL_BENCH), the original's virtualenv
# (made once by its setup_venv.sh when V6_VENV is missing; Python 3.10 from pyenv) and wrk.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bench=${ORIGINAL_BENCH:-$repo/../shared/original-bench}
secs=${1:-5}
out=${OUT:-$(mktemp -d)}
export V6_VENV=${V6_VENV:-/tmp/v6anchor}
[ -x "$V6_VENV/bin/python" ] || bash "$bench/setup_venv.sh"
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }

ours_pid=
stop_ours() { [ -z "$ours_pid" ] || { kill "$ours_pid" 2>/dev/null; wait "$ours_pid" 2>/dev/null || true; ours_pid=; }; }
trap stop_ours EXIT

# Ours, fresh, from a copy of development.ini on port 7631 (root/root): prints its URL.
start_ours() {
  local dir=$out/ours-$1
  mkdir -p "$dir"
  sed 's/^listen = .*/listen = 127.0.0.1:7631/' "$repo/development.ini" >"$dir/development.ini"
  "$repo/.venv/bin/pserve" "$dir/development.ini" >"$dir/server.log" 2>&1 &
  ours_pid=$!
  for _ in $(seq 100); do
    curl -sf http://127.0.0.1:7631/api/health >/dev/null && return
    sleep 0.1
  done
  echo "our server did not start: $dir/server.log" >&2
  exit 1
}

echo "== closed-loop generator (pair.sh, ${secs} s a scenario)"
start_ours pair
OUT=$out/pair bash "$bench/pair.sh" http://127.0.0.1:7631 "$ours_pid" "$secs" | tee "$out/pair.txt"
stop_ours

echo "== wrk, ours (tail.sh)"
start_ours tail
bash "$bench/tail.sh" http://127.0.0.1:7631 "$secs" 1 2 16 64 | tee "$out/tail-ours.txt"
stop_ours

echo "== wrk, the original (tail.sh)"
bash "$bench/start_v6_server.sh" --port 7650 --dir "$out/original-tail" >/dev/null
bash "$bench/tail.sh" http://127.0.0.1:7650 "$secs" 1 2 16 64 | tee "$out/tail-original.txt"
bash "$bench/stop_v6_server.sh" "$out/original-tail" >/dev/null 2>&1 || true
echo "results in $out"
