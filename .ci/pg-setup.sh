#!/usr/bin/env bash
# Provisions the PostgreSQL server that the indexer's tests run against (TEST_DATABASE_URL), on a
# bare Debian 12 machine, as root. Safe to run twice: it installs, creates and starts only what is
# missing. Either run it and eval its output, or source it:
#
#   eval "$(.ci/pg-setup.sh)"     # progress on stderr, one `export TEST_DATABASE_URL=…` line on stdout
#   source .ci/pg-setup.sh        # exports TEST_DATABASE_URL into the calling shell
#
# The role `shanji` (password `shanji`) has CREATEDB because each test file creates and drops its own
# throwaway database (packages/indexer/src/store/_test/testDatabase.ts).

# The work runs in a subshell function so that `set -e` and `exit` never leak into a shell that sources us.
_shanji_pg_setup() (
  set -euo pipefail
  say() { printf '[pg-setup] %s\n' "$*" >&2; }
  # runuser lives in /usr/sbin, which a non-login root shell may not have on its PATH.
  as_postgres() {
    local runuser
    runuser="$(command -v runuser || true)"
    for candidate in /usr/sbin/runuser /sbin/runuser; do
      if [ -z "$runuser" ] && [ -x "$candidate" ]; then runuser="$candidate"; fi
    done
    if [ -n "$runuser" ]; then
      (cd / && "$runuser" -u postgres -- "$@")
    else
      (cd / && su postgres -s /bin/sh -c '"$0" "$@"' -- "$@")
    fi
  }
  # `set -e` does not hold in a function called from an `if` (as below): each step that matters
  # says so itself.

  if [ "$(id -u)" -ne 0 ]; then
    say "must run as root (it installs and starts PostgreSQL)"
    exit 1
  fi

  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    say "PostgreSQL is not installed: apt-get install postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends postgresql >&2
  fi

  # The newest installed major version; Debian 12 ships 15, but don't bet on it.
  version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)"
  if [ -z "$version" ]; then
    say "no PostgreSQL server found under /usr/lib/postgresql"
    exit 1
  fi
  # Some images install the server without creating the default cluster.
  if ! pg_lsclusters --no-header | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
    say "creating cluster $version/main"
    pg_createcluster "$version" main >&2
  fi
  port="$(pg_lsclusters --no-header | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"
  status="$(pg_lsclusters --no-header | awk -v v="$version" '$1 == v && $2 == "main" { print $4 }')"
  if [ "$status" != "online" ]; then
    say "starting cluster $version/main on port $port"
    pg_ctlcluster "$version" main start >&2
  fi

  for _ in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
    sleep 0.5
  done
  if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
    say "PostgreSQL $version does not accept connections on 127.0.0.1:$port after 30 s; see /var/log/postgresql/postgresql-$version-main.log"
    exit 1
  fi

  say "ensuring role and database shanji"
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres >&2 <<'SQL' || { say "could not create the role and database shanji"; exit 1; }
do $$
begin
  if not exists (select from pg_roles where rolname = 'shanji') then
    create role shanji login createdb password 'shanji';
  else
    alter role shanji login createdb password 'shanji';
  end if;
end
$$;
-- drop database ... with (force) may meet an autovacuum worker of the new database.
grant pg_signal_backend to shanji;
select 'create database shanji owner shanji' where not exists (select from pg_database where datname = 'shanji')
\gexec
SQL

  url="postgres://shanji:shanji@127.0.0.1:$port/shanji"
  # Prove the URL works the way the tests will use it: over TCP, with the password.
  PGPASSWORD=shanji psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U shanji -d shanji -c 'select 1' >/dev/null ||
    { say "the role shanji cannot connect to $url"; exit 1; }
  say "PostgreSQL $version is ready at $url"
  printf '%s\n' "$url"
)

if _shanji_pg_url="$(_shanji_pg_setup)"; then
  export TEST_DATABASE_URL="$_shanji_pg_url"
  printf 'export TEST_DATABASE_URL=%s\n' "$TEST_DATABASE_URL"
  unset -f _shanji_pg_setup
  unset _shanji_pg_url
else
  printf '[pg-setup] failed\n' >&2
  unset -f _shanji_pg_setup
  unset _shanji_pg_url
  # `return` when sourced, `exit` when run.
  return 1 2>/dev/null || exit 1
fi
