# shellcheck shell=bash
# Helpers for scripts/test and scripts/bench. Source this file, then install the trap:
#
#   source scripts/lib/services.sh
#   trap cleanup_services EXIT
#   trap 'exit 130' INT
#   trap 'exit 143' TERM
#
# INT/TERM only call `exit`, which runs the EXIT trap once; that way cleanup also runs on
# `set -e` failures and never twice.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# Everything started here is recorded so cleanup_services can stop it by PID.
_SERVICE_PIDS=()
_SERVICE_PG_DATA_DIRS=()
_SERVICE_TMP_DIRS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

die() { log "ERROR: $*"; exit 1; }

register_pid() { _SERVICE_PIDS+=("$1"); }
register_tmpdir() { _SERVICE_TMP_DIRS+=("$1"); }

# A free TCP port on 127.0.0.1 (the kernel picks it; tiny race before the caller binds it).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the given Debian packages that are not installed yet; apt-get update runs only
# when something is missing.
ensure_debian_packages() {
    local pkg missing=()
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    _as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null
}

# Creates .venv-peers (in the current directory) from requirements-peers.txt. A stamp file
# named after the requirements' hash makes a second run a no-op.
ensure_peers_venv() {
    local venv=.venv-peers req=requirements-peers.txt hash stamp
    [ -f "$req" ] || die "$req not found (run from the repository root)"
    hash=$(sha256sum "$req" | cut -c1-16)
    stamp="$venv/.requirements-$hash"
    [ -f "$stamp" ] && return 0
    if [ ! -x "$venv/bin/python" ]; then
        python3 -c 'import ensurepip' 2>/dev/null || ensure_debian_packages python3-venv
        log "creating $venv"
        python3 -m venv "$venv"
    fi
    log "installing $req into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
    rm -f "$venv"/.requirements-*
    touch "$stamp"
}

# PostgreSQL must not run as root: as root, run its binaries as the `postgres` user.
_as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts a throw-away PostgreSQL 15 on a free loopback port. Exports PG_PORT, PG_SOCKET_DIR,
# PG_DATA_DIR and TEST_DATABASE_URL (superuser postgres, trust auth). Returns 1 on failure
# (after logging why), so it can be used in `if`.
#
#   start_postgres           for tests: fsync off (a crash loses the throw-away data, nothing else),
#                            data in memory (/dev/shm) where there is one
#   start_postgres durable   for benchmarks: fsync and synchronous_commit on, on disk, as users run it
start_postgres() {
    local dir port pid durability="-c fsync=off" label="fsync off" base=/tmp
    # The tests create and drop a database per test (hundreds of files each time): on ext4 the
    # inode allocator's search past recently deleted inodes cost a fifth of the machine's CPU.
    [ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm label="fsync off, data in /dev/shm"
    if [ "${1:-}" = durable ]; then
        durability="-c fsync=on -c synchronous_commit=on" label="fsync and synchronous_commit on" base=/tmp
    elif [ -n "${1:-}" ]; then
        log "start_postgres: unknown argument '$1' (use 'durable' or nothing)"
        return 1
    fi
    if [ ! -x "$PG_BIN/initdb" ]; then
        log "PostgreSQL binaries not found in $PG_BIN (install postgresql-15)"
        return 1
    fi
    dir=$(mktemp -d "$base/adsapp-pg.XXXXXX")
    register_tmpdir "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
    chmod 700 "$dir"
    port=$(free_port)

    _as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale \
        --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; log "initdb failed"; return 1; }
    _SERVICE_PG_DATA_DIRS+=("$dir/data")
    _as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir $durability -c max_connections=500" \
        start >/dev/null || { cat "$dir/postgres.log" >&2; log "PostgreSQL did not start"; return 1; }

    pid=$(head -n 1 "$dir/data/postmaster.pid")
    register_pid "$pid"
    export PG_PORT=$port PG_SOCKET_DIR=$dir PG_DATA_DIR=$dir/data
    export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $pid, $label)"
}

# Stops $1 by PID: TERM, up to ${2:-10} s grace, then KILL.
stop_pid() {
    local pid=$1 grace=${2:-10} i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "pid $pid still alive after ${grace}s, killing"
    kill -KILL "$pid" 2>/dev/null || true
}

# Stops everything registered above, newest first, and removes the temp dirs. Never fails.
cleanup_services() {
    local i
    set +e
    for ((i = ${#_SERVICE_PG_DATA_DIRS[@]} - 1; i >= 0; i--)); do
        _as_postgres "$PG_BIN/pg_ctl" -D "${_SERVICE_PG_DATA_DIRS[i]}" -m fast -w -t 20 stop >/dev/null 2>&1
    done
    for ((i = ${#_SERVICE_PIDS[@]} - 1; i >= 0; i--)); do
        stop_pid "${_SERVICE_PIDS[i]}"
        # Reap it if it is our child, so bash prints no "Terminated" later.
        wait "${_SERVICE_PIDS[i]}" 2>/dev/null
    done
    for ((i = ${#_SERVICE_TMP_DIRS[@]} - 1; i >= 0; i--)); do
        rm -rf "${_SERVICE_TMP_DIRS[i]}"
    done
    _SERVICE_PIDS=() _SERVICE_PG_DATA_DIRS=() _SERVICE_TMP_DIRS=()
    return 0
}
