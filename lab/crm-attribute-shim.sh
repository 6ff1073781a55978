#!/usr/bin/env bash
# crm_attribute for lab db nodes (bind-mounted over /usr/sbin/crm_attribute inside db nodes only).
# Debian 12's Pacemaker 2.1.5 pre-processes short options and splits a negative value such as
# "-INFINITY" into "-I -N FINITY" ("Could not map name=FINITY to a UUID", exit 105), so every
# `crm_attribute ... -v -INFINITY` of resource-agents 4.12's pgsql RA (ocf_promotion_score,
# set_master_score) fails and a start never completes. "--update=VALUE" is not split: pass
# negative values that way and run the real binary (bind-mounted at /run/hk-real/crm_attribute).
set -u
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = "-v" ] && [ $# -ge 2 ] && [[ "$2" == -* ]]; then
    args+=("--update=$2")
    shift 2
    continue
  fi
  args+=("$1")
  shift
done
exec /run/hk-real/crm_attribute "${args[@]}"
