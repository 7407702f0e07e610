#!/usr/bin/env bash
# Load benchmark for issue 7: report intake and mail throughput of a
# release `embargo serve`, with the raw durable commit rate of the same
# disk measured in the same run. See --help.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bench/load.sh [--duration SECONDS] [--clients N] [--mails N] [--engine NAME] [--no-build]

Builds embargo (release) and the SMTP sink (examples/smtp_sink.rs), then per
database engine:

  1. raw anchor, the disk's durable commit rate: one committer running
     single-row INSERT + COMMIT in a loop for 5 s on the same disk
     (SQLite: python3's sqlite3, journal_mode=WAL, synchronous=FULL;
     PostgreSQL: pgbench with a one-INSERT script and 1 client,
     synchronous_commit as the server has it), before and again after
     intake; the higher of the two counts. On PostgreSQL also pgbench
     with N clients, whose commits share the server's log flushes, for
     reference (printed with intake's share of it, not judged);
  2. intake: `embargo serve` (temp data dir, default synchronous = FULL) and
     wrk with N connections POSTing unique reports to /api/v1/reports for
     3 s of warm-up, then SECONDS measured: reports/s, p50, p99. With one
     admin, each report queues two mails (the reporter's acknowledgement,
     the admins' notice); during intake the SMTP sink holds every
     connection unanswered, so no mail is sent yet;
  3. mail: tops the queue up to --mails mail jobs, opens the sink, and
     times until no mail job is queued or running: mails/s.

Then prints one table and whether the targets are met (intake >= half
the raw rate, intake p99 < 50 ms, mail >= 1,000/s). Temp files, processes
and the PostgreSQL database are removed on exit, also on failure.

Options:
  --duration SECONDS   measured intake time (default 20)
  --clients N          concurrent wrk connections (default 64)
  --mails N            mails to drain at least (default 10000)
  --no-build           use the binaries already in the target directory
  --engine NAME        only sqlite, or only postgres (default: sqlite, and
                       postgres when EMBARGO_TEST_DATABASE_URL is set)

Environment:
  EMBARGO_TEST_DATABASE_URL  postgres://USER:PASS@HOST:PORT/DB whose role
                             may create databases (as for the tests and
                             benches/reads.rs): also run on PostgreSQL, in a
                             fresh database dropped afterwards
  CARGO_TARGET_DIR            where cargo builds (default ./target)
  TMPDIR                      where the SQLite data dir goes (the disk measured)

Needs: cargo, wrk, python3; psql and pgbench for PostgreSQL.
EOF
}

duration=20
clients=64
mails=10000
build=1
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --mails) mails=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --engine) only=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
repo=$(pwd)
for tool in wrk python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done
pg_base=${EMBARGO_TEST_DATABASE_URL:-}
if [ -n "$pg_base" ]; then
  for tool in psql pgbench; do
    command -v "$tool" >/dev/null || { echo "$tool is needed for PostgreSQL" >&2; exit 1; }
  done
fi

target=${CARGO_TARGET_DIR:-$repo/target}
if [ "$build" = 1 ]; then
  echo "building (release)..." >&2
  cargo build --release --quiet --bin embargo --example smtp_sink
fi
embargo=$target/release/embargo
sink=$target/release/examples/smtp_sink
[ -x "$embargo" ] && [ -x "$sink" ] || { echo "no release build in $target" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/embargo-load.XXXXXX")
pids=()
pg_db=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$pg_db" ]; then
    psql "$pg_base" -qAtc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to $2 seconds for a line matching $1 in file $3.
wait_for_line() {
  local pattern=$1 seconds=$2 file=$3
  for _ in $(seq 1 $((seconds * 20))); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "timed out waiting for '$pattern' in $file:" >&2
  tail -20 "$file" >&2
  return 1
}

raw_sqlite() {
  python3 - "$1" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA journal_mode=WAL")
c.execute("PRAGMA synchronous=FULL")
c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
body = "x" * 400
n, t0 = 0, time.monotonic()
while time.monotonic() - t0 < 5:
    c.execute("BEGIN IMMEDIATE")
    c.execute("INSERT INTO t (body) VALUES (?)", (body,))
    c.execute("COMMIT")
    n += 1
print(round(n / (time.monotonic() - t0)))
PY
}

raw_pg() { # url clients -> commits/s
  local url=$1 n=$2
  echo "INSERT INTO raw_commits (body) VALUES (repeat('x', 400));" >"$work/raw.sql"
  pgbench -n -c "$n" -j 2 -T 5 -f "$work/raw.sql" "$url" 2>/dev/null \
    | awk '/^tps = / {printf "%d\n", $3; exit}'
}

raw_anchor() { # engine url dir clients -> commits/s
  if [ "$1" = sqlite ]; then
    raw_sqlite "$3/raw.db"
    rm -f "$3"/raw.db*
  else
    raw_pg "$2" "$4"
  fi
}

# Mail jobs not yet done (queued or running), on either engine.
pending_sql="SELECT count(*) FROM jobs WHERE lane = 'mail' AND state IN ('queued', 'running')"
dead_sql="SELECT count(*) FROM jobs WHERE lane = 'mail' AND state = 'dead'"
query() { # engine db sql
  if [ "$1" = sqlite ]; then
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$2" "$3"
  else
    psql "$2" -qAtc "$3"
  fi
}

# Polls until no mail job is pending; prints the seconds it took.
drain_seconds() { # engine db
  python3 - "$1" "$2" "$pending_sql" <<'PY'
import subprocess, sys, time
engine, db, sql = sys.argv[1:4]
if engine == "sqlite":
    import sqlite3
    conn = sqlite3.connect(db, isolation_level=None)
    pending = lambda: conn.execute(sql).fetchone()[0]
else:
    pending = lambda: int(subprocess.run(["psql", db, "-qAtc", sql], capture_output=True, text=True, check=True).stdout)
t0 = time.monotonic()
while pending() > 0:
    if time.monotonic() - t0 > 300:
        sys.exit("mail did not drain within 300 s")
    time.sleep(0.02)
print(f"{time.monotonic() - t0:.3f}")
PY
}

results=()

run_engine() { # engine db_url(empty for the SQLite default)
  local engine=$1 url=$2 dir=$work/$1
  mkdir -p "$dir"
  echo "== $engine" >&2

  # The raw anchor before and after intake: the disk is shared, and its
  # rate moves; the higher of the two is the one intake is held to.
  [ "$engine" = postgres ] &&
    psql "$url" -qAtc "CREATE TABLE raw_commits (id bigserial PRIMARY KEY, body text NOT NULL)" >/dev/null
  # On PostgreSQL the anchor is one client's rate, as SQLite's loop is one
  # writer's; N clients' is printed beside it.
  local raw_before raw_after many_before="" many_after=""
  raw_before=$(raw_anchor "$engine" "$url" "$dir" 1)
  [ "$engine" = postgres ] && many_before=$(raw_anchor "$engine" "$url" "$dir" "$clients")
  echo "raw durable commits: $raw_before/s${many_before:+ (1 client), $many_before/s ($clients clients)}" >&2

  local sink_port serve_port gate=$dir/gate
  sink_port=$(free_port)
  "$sink" --listen "127.0.0.1:$sink_port" --hold-until "$gate" >"$dir/sink.log" 2>&1 &
  pids+=($!)
  local sink_pid=$!
  wait_for_line "listening on" 10 "$dir/sink.log"

  serve_port=$(free_port)
  cat >"$dir/embargo.toml" <<EOF
database_url = "$url"

[mail]
transport = "smtp"

[mail.smtp]
host = "127.0.0.1"
port = $sink_port
security = "none"
# The sink holds connections unanswered during intake.
timeout_seconds = 600

[limits]
# Every request comes from 127.0.0.1.
reports_per_hour = 4000000000
EOF
  # One admin, as in any real set-up: each report then queues two mails,
  # the reporter's acknowledgement and the admins' notice.
  "$embargo" --data "$dir/data" --config "$dir/embargo.toml" admin add admin@example.org >"$dir/admin.log" 2>&1 ||
    { cat "$dir/admin.log" >&2; exit 1; }
  "$embargo" --data "$dir/data" --config "$dir/embargo.toml" serve --listen "127.0.0.1:$serve_port" \
    >"$dir/serve.out" 2>"$dir/serve.log" &
  pids+=($!)
  local serve_pid=$!
  wait_for_line "embargo is serving" 60 "$dir/serve.log"

  local base=http://127.0.0.1:$serve_port
  wrk -t2 -c"$clients" -d3s --timeout 10s -s bench/intake.lua "$base" -- "$engine-warm" >"$dir/warm.txt"
  # SQLite: the largest its write-ahead log grows during intake, sampled
  # twice a second (src/db/sqlite_log.rs keeps it from growing without end).
  local wal_pid=""
  if [ "$engine" = sqlite ]; then
    (
      most=0
      while :; do
        size=$(stat -c %s "$dir"/data/*.db-wal 2>/dev/null | head -1)
        [ "${size:-0}" -gt "$most" ] && most=$size && echo "$most" >"$dir/wal_most"
        sleep 0.5
      done
    ) &
    wal_pid=$!
  fi
  wrk -t2 -c"$clients" -d"${duration}s" --timeout 10s -s bench/intake.lua "$base" -- "$engine-run" >"$dir/wrk.txt"
  if [ -n "$wal_pid" ]; then
    kill "$wal_pid" 2>/dev/null || true
    wait "$wal_pid" 2>/dev/null || true
    local wal_most
    wal_most=$(cat "$dir/wal_most" 2>/dev/null || echo 0)
    echo "SQLite log: at most $((wal_most / 1000000)) MB during intake;" \
      "$(grep -c 'held the writers' "$dir/serve.log" || true) restarts held the writers over 250 ms" >&2
  fi
  local line
  line=$(grep '^WRK ' "$dir/wrk.txt")
  eval "local ${line#WRK }"
  # shellcheck disable=SC2154 # set by the eval
  local rate p50 p99
  rate=$(python3 -c "print(round($requests / ($duration_us / 1e6)))")
  p50=$(python3 -c "print(f'{$p50_us / 1000:.1f}')")
  p99=$(python3 -c "print(f'{$p99_us / 1000:.1f}')")
  echo "intake: $rate reports/s, p50 $p50 ms, p99 $p99 ms ($requests requests, $non_2xx not 2xx, $socket_errors socket errors)" >&2
  if [ "$non_2xx" != 0 ] || [ "$socket_errors" != 0 ]; then
    echo "intake had failures; serve log tail:" >&2
    tail -5 "$dir/serve.log" >&2
    exit 1
  fi

  raw_after=$(raw_anchor "$engine" "$url" "$dir" 1)
  [ "$engine" = postgres ] && many_after=$(raw_anchor "$engine" "$url" "$dir" "$clients")
  echo "raw durable commits after intake: $raw_after/s${many_after:+ (1 client), $many_after/s ($clients clients)}" >&2
  local raw=$((raw_before > raw_after ? raw_before : raw_after))

  local db=$url
  [ "$engine" = sqlite ] && db=$dir/data/embargo.db
  local n top=0
  n=$(query "$engine" "$db" "$pending_sql")
  while [ "$n" -lt "$mails" ]; do
    top=$((top + 1))
    wrk -t2 -c"$clients" -d2s --timeout 10s -s bench/intake.lua "$base" -- "$engine-top$top" >/dev/null
    n=$(query "$engine" "$db" "$pending_sql")
  done
  echo "mail: $n mails queued; opening the sink" >&2
  touch "$gate"
  local secs
  secs=$(drain_seconds "$engine" "$db")
  local dead received
  dead=$(query "$engine" "$db" "$dead_sql")
  sleep 0.3
  received=$(grep '^count ' "$dir/sink.log" | tail -1 | cut -d' ' -f2)
  local mail_rate
  mail_rate=$(python3 -c "print(round($n / $secs))")
  echo "mail: $n jobs done in $secs s: $mail_rate mails/s; sink received ${received:-0}, $dead dead" >&2
  if [ "$dead" != 0 ] || [ "${received:-0}" -lt "$n" ]; then
    echo "mail did not all arrive" >&2
    exit 1
  fi

  kill -TERM "$serve_pid" "$sink_pid"
  wait "$serve_pid" 2>/dev/null || true
  wait "$sink_pid" 2>/dev/null || true

  local half ok_rate ok_p99 ok_mail
  half=$((raw / 2))
  ok_rate=$([ "$rate" -ge "$half" ] && echo met || echo MISSED)
  ok_p99=$(python3 -c "print('met' if $p99_us < 50000 else 'MISSED')")
  ok_mail=$([ "$mail_rate" -ge 1000 ] && echo met || echo MISSED)
  local raw_cell="$raw_before / $raw_after"
  if [ -n "$many_before" ]; then
    local many=$((many_before > many_after ? many_before : many_after))
    raw_cell="$raw_cell (1 client); $many_before / $many_after ($clients clients: intake $(python3 -c "print(f'{$rate / $many:.2f}')") of it)"
  fi
  results+=("| $engine | $raw_cell | $rate ($ok_rate) | $p50 | $p99 ($ok_p99) | $n | $mail_rate ($ok_mail) |")
}

[ "$only" = postgres ] && [ -z "$pg_base" ] && { echo "--engine postgres needs EMBARGO_TEST_DATABASE_URL" >&2; exit 2; }
[ "$only" != postgres ] && run_engine sqlite ""
if [ -n "$pg_base" ] && [ "$only" != sqlite ]; then
  pg_db=embargo_bench_$$
  psql "$pg_base" -qAtc "CREATE DATABASE $pg_db" >/dev/null
  pg_url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$pg_base" "$pg_db")
  run_engine postgres "$pg_url"
fi

echo
echo "embargo load benchmark: $(nproc) cores, data on $(df -P "$work" | awk 'NR==2 {print $1}'), $clients clients, ${duration} s measured intake"
echo "serve: release build, default settings (SQLite synchronous = FULL, 256 mail workers, 8 SMTP connections), one admin: 2 mails a report"
echo "SMTP sink: examples/smtp_sink.rs (tokio, loopback, no TLS, counts and discards); mail drained after intake, with no intake running"
echo
echo "| engine | raw commits/s, before / after intake | intake reports/s (>= raw/2) | p50 ms | p99 ms (< 50) | mails | mails/s (>= 1000) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${results[@]}"
