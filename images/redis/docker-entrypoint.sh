#!/bin/sh
# Starts Redis the way the official redis image does, as far as Testcontainers relies on it:
# "redis-server [CONFIG_FILE] [--option value ...]" runs as user redis with /data as its working
# directory, without a config file, and reachable from outside the container: Debian's package keeps
# Redis's protected mode on, which refuses clients from other hosts when no password is set, so it is
# turned off here (options given in the command come later and win). Any other command runs as is.
set -eu

case "${1:-}" in -* | *.conf) set -- redis-server "$@" ;; esac

if [ "${1:-}" != redis-server ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  find . ! -user redis -exec chown redis:redis {} +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

shift
config=
case "${1:-}" in -* | '') ;; *) config=$1 && shift ;; esac
exec redis-server ${config:+"$config"} --protected-mode no "$@"
