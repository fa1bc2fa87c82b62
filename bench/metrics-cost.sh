#!/usr/bin/env bash
# What the metrics cost: ingest throughput of DevStack's API with METRICS_ENABLED=true against false, in one run.
# Runs are interleaved (on, off, on, off, ...) so that drift in the machine's load hits both alike; each run starts a
# fresh DevStack (broker, worker, API; Release build), warms up, then measures a closed loop of POSTs with wrk
# against 127.0.0.1 only. Prints each run and the medians: requests per second, and the CPU time the API and the worker
# processes spent per request (from /proc), which a machine shared with other work disturbs much less than throughput.
#
#   bash bench/metrics-cost.sh [runs per mode (3)] [seconds per run (10)] [connections (32)]
#
# Needs wrk (Debian package wrk; installed when missing). The broker keeps at most 5 MiB per partition, which bounds
# how long one run can be at full speed (docs/observability.md).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-3} seconds=${2:-10} connections=${3:-32}
api_port=18180 grpc_port=15101 health_port=18181
if ! command -v wrk >/dev/null 2>&1; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } >/dev/null 2>&1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tools/DevStack -c Release -v q -nologo >/dev/null

work=$(mktemp -d)
stack_pid=
stop_stack() {
  if [ -n "$stack_pid" ] && kill -0 "$stack_pid" 2>/dev/null; then
    kill -TERM "$stack_pid"
    wait "$stack_pid" 2>/dev/null || true
  fi
  stack_pid=
}
trap 'stop_stack; rm -rf "$work"' EXIT

# CPU time (user + system) of the DevStack's children, the API and the worker, in clock ticks.
service_ticks() {
  local total=0 pid
  for pid in $(pgrep -P "$stack_pid"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

# $1: true or false. Prints: the setting, requests/s, p99 latency, non-2xx answers, /metrics status, CPU µs per request.
measure() {
  local enabled=$1 log="$work/stack-$1-$RANDOM.log"
  METRICS_ENABLED=$enabled API_PORT=$api_port WORKER_GRPC_PORT=$grpc_port WORKER_HEALTH_PORT=$health_port LOG_LEVEL=Warning \
    tools/DevStack/bin/Release/net10.0/DevStack >"$log" 2>&1 &
  stack_pid=$!
  for _ in $(seq 1 120); do
    grep -q "DevStack is ready" "$log" && break
    kill -0 "$stack_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "DevStack is ready" "$log" || { echo "DevStack did not get ready" >&2; cat "$log" >&2; exit 1; }
  local url="http://127.0.0.1:$api_port"
  # /metrics answers only while metrics are on: a check that the switch did what it says.
  local metrics_status
  metrics_status=$(curl -s -o /dev/null -w '%{http_code}' "$url/metrics")
  wrk -t1 -c"$connections" -d3s -s bench/wrk/post-event.lua "$url" >/dev/null # warm-up: JIT, connections, batches
  local out before after
  before=$(service_ticks)
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/wrk/post-event.lua "$url")
  after=$(service_ticks)
  stop_stack
  local rps p99 errors requests cpu
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.1f", t / hz / n * 1e6}')
  printf '%s %s %s %s %s %s\n' "$enabled" "$rps" "$p99" "${errors:-0}" "$metrics_status" "$cpu"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "metrics  requests/s  p99      non-2xx  /metrics  CPU µs/request (API + worker)"
results="$work/results"
for run in $(seq 1 "$runs"); do
  for enabled in true false; do
    line=$(measure "$enabled")
    echo "$line" >>"$results"
    read -r e r p n m c <<<"$line"
    printf '%-8s %-11s %-8s %-8s %-9s %-8s (run %d)\n' "$e" "$r" "$p" "$n" "$m" "$c" "$run"
  done
done

on=$(awk '$1 == "true" {print $2}' "$results" | median)
off=$(awk '$1 == "false" {print $2}' "$results" | median)
cpu_on=$(awk '$1 == "true" {print $6}' "$results" | median)
cpu_off=$(awk '$1 == "false" {print $6}' "$results" | median)
echo
echo "median requests/s: metrics on ${on}, metrics off ${off}"
awk -v on="$on" -v off="$off" 'BEGIN {printf "cost of metrics: %.1f%% of ingest throughput\n", (off - on) / off * 100}'
echo "median CPU µs per request (API + worker): metrics on ${cpu_on}, metrics off ${cpu_off}"
awk -v on="$cpu_on" -v off="$cpu_off" 'BEGIN {printf "cost of metrics: %.1f%% more CPU per request\n", (on - off) / off * 100}'
