#!/bin/sh
# Starts PostgreSQL the way the official postgres image does, as far as Testcontainers relies on it:
# - POSTGRES_USER (default postgres), POSTGRES_PASSWORD, POSTGRES_DB (default: the user),
#   POSTGRES_INITDB_ARGS and POSTGRES_HOST_AUTH_METHOD (default scram-sha-256);
# - an empty PGDATA, even a fresh tmpfs mount, is initialised on the first start;
# - "postgres ARGS..." (or just "-c ..." options) runs the server as user postgres, anything else runs as is;
# - *.sh and *.sql files in /docker-entrypoint-initdb.d run once, after initialisation.
# Initialisation never listens on TCP, so a pg_isready health check passes only once the real server
# runs, with the user and the database already in place.
set -eu

case "${1:-}" in -*) set -- postgres "$@" ;; esac

if [ "${1:-}" != postgres ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  find "$PGDATA" /var/run/postgresql ! -user postgres -exec chown postgres:postgres {} +
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

# quote_ident NAME: NAME as an SQL identifier in double quotes.
quote_ident() {
  printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"
}

# single_user SQL: runs one SQL statement without starting a server (no socket, no TCP).
single_user() {
  out=$(printf '%s\n' "$1" | postgres --single -F -c listen_addresses= -D "$PGDATA" postgres 2>&1) || {
    printf '%s\n' "$out" >&2
    return 1
  }
  case "$out" in *ERROR:* | *FATAL:*)
    printf '%s\n' "$out" >&2
    return 1
    ;;
  esac
}

# run_init_scripts USER DB: runs /docker-entrypoint-initdb.d/* against a server that listens only on
# its Unix socket.
run_init_scripts() {
  found=
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] && found=1
  done
  [ -n "$found" ] || return 0

  export PGUSER="$1" PGDATABASE="$2"
  pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=" --wait --silent start
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        echo "docker-entrypoint.sh: running $f"
        # shellcheck disable=SC1090 # the scripts are the user's, sourced unless executable
        if [ -x "$f" ]; then "$f"; else . "$f"; fi
        ;;
      *.sql)
        echo "docker-entrypoint.sh: running $f"
        psql --no-psqlrc --no-password --set ON_ERROR_STOP=1 --file="$f" >/dev/null
        ;;
      *) echo "docker-entrypoint.sh: ignoring $f" ;;
    esac
  done
  pg_ctl --pgdata="$PGDATA" --mode=fast --wait --silent stop
}

initialise() {
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "docker-entrypoint.sh: POSTGRES_PASSWORD is not set. Set it, or set POSTGRES_HOST_AUTH_METHOD=trust" \
      "to allow logins without a password." >&2
    exit 1
  fi

  pwfile=
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  fi
  # --no-sync: a test database gains nothing from flushing a fresh cluster to disk.
  # POSTGRES_INITDB_ARGS is a list of options, split on spaces as the official image does.
  # shellcheck disable=SC2086
  initdb --pgdata="$PGDATA" --username="$user" ${pwfile:+"--pwfile=$pwfile"} \
    --auth-local=trust --auth-host="$auth" --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync --no-instructions ${POSTGRES_INITDB_ARGS:-}
  [ -z "$pwfile" ] || rm -f "$pwfile"

  printf '\n# docker-entrypoint.sh: logins over the network, from anywhere\nhost all all all %s\n' "$auth" \
    >>"$PGDATA/pg_hba.conf"
  printf "\n# docker-entrypoint.sh\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

  if [ "$db" != postgres ]; then
    single_user "CREATE DATABASE $(quote_ident "$db");"
  fi
  run_init_scripts "$user" "$db"
  echo "docker-entrypoint.sh: database initialised; starting the server"
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initialise
fi
exec "$@"
