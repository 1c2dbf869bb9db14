#!/bin/bash
# Issue 18: `virtspec reload` on a terminal counts the seconds of the guest's shutdown ("waiting
# for NAME to shut down: 2 s of 3"); in a pipe it does not. The TCG guest has no OS: it never
# answers the ACPI request, so the wait is the whole shutdown_timeout.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
cat > specs/cd.yaml <<'YAML'
kind: Domain
name: vs-cd
memory: 64MiB
boot: [network]
shutdown_timeout: 3
YAML
vs apply specs
is "the domain is created and runs" running "$(domstate vs-cd)"
id1=$(domid vs-cd)
tty_out=$(TERM=xterm LC_ALL=C.UTF-8 script -qec "$VS reload --specs specs vs-cd" /dev/null)
printf '%s\n' "$tty_out" | tr '\r' '\n' | sed 's/\x1b\[K//g' | grep -v '^$' | sed 's/^/    | /'
contains "on a terminal: the countdown of the shutdown" "waiting for vs-cd to shut down: 2 s of 3" "$tty_out"
ok "…and the domain was restarted" test "$(domid vs-cd)" != "$id1"
vs reload --specs specs vs-cd
is "in a pipe the reload succeeds" 0 "$rc"
lacks "…without the countdown" "to shut down:" "$out"
finish
