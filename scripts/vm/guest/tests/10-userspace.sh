#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# User space runs: fork and exec, pipes, signals.
out=$(echo lguest | tr a-z A-Z) || exit 1
[ "$out" = LGUEST ] || { echo "pipe through tr gave '$out'"; exit 1; }
n=$(seq 1 200 | sort -rn | head -n 1)
[ "$n" = 200 ] || { echo "seq|sort|head gave '$n'"; exit 1; }
sh -c 'trap "exit 7" USR1; kill -USR1 $$; sleep 5; exit 0'
rc=$?
[ $rc = 7 ] || { echo "a handled SIGUSR1 gave exit $rc, not 7"; exit 1; }
sleep 30 &
pid=$!
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 143 ] || { echo "SIGTERM to sleep gave exit $rc, not 143"; exit 1; }
exit 0
