#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Journal records (issue 14 item 11): every line about an object, failures included, carries
# OBJECT_KIND= and OBJECT_NAME= (journalctl OBJECT_NAME=NAME shows its whole story), and every
# record's CODE_FILE/CODE_LINE/CODE_FUNC name the caller, not the logger. journald is not
# reachable in the test environment: $VIRTSPEC_LOG_FIELDS=FILE makes log.c write each record it
# would send (the same iovec, plus the location it passes to sd_journal_sendv_with_location) to
# FILE in journal export format. The daemon runs against libvirt's test driver, whose domain
# "test" virtspec does not own: its spec is a foreign conflict, a failure.
# Usage: check-journal-fields.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/specs"
printf 'kind: Domain\nname: test\nmemory: 64MiB\ngraphics: {type: none}\n' > "$d/specs/test.yaml"
printf 'kind: Domain\nname: web1\nmemory: 64MiB\ngraphics: {type: none}\n' > "$d/specs/web1.yaml"
chmod 0644 "$d/specs"/*.yaml
: > "$d/empty.conf"
VIRTSPEC_LOG_FIELDS="$d/records" "$vs" daemon --config "$d/empty.conf" -c test:///default \
    --specs "$d/specs" --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
# record RE: the record (paragraph) whose MESSAGE matches RE
record() { awk -v RS= -v re="$1" '$0 ~ "(^|\n)MESSAGE=" re { print; print "" }' "$d/records"; }
ok "the records file is written" wait_for 10 test -e "$d/records"
ok "the failure is logged" wait_for 10 grep -q '^MESSAGE=Domain test: foreign-conflict' "$d/records"
ok "web1 is started" wait_for 10 grep -q '^MESSAGE=Domain web1: ▶ start' "$d/records"
rm "$d/specs/web1.yaml"
ok "web1's removal is logged" wait_for 10 grep -q '^MESSAGE=Domain web1: spec removed' "$d/records"
kill -TERM "$dpid"; wait "$dpid"; dpid=
fail_rec=$(record 'Domain test: foreign-conflict')
ok "the failure line carries OBJECT_KIND=Domain" grep -qx 'OBJECT_KIND=Domain' <<<"$fail_rec"
ok "the failure line carries OBJECT_NAME=test" grep -qx 'OBJECT_NAME=test' <<<"$fail_rec"
ok "the failure line names its caller: CODE_FILE manager.c" grep -qE '^CODE_FILE=.*reconciler/manager\.c$' <<<"$fail_rec"
ok "…CODE_FUNC work_done" grep -qx 'CODE_FUNC=work_done' <<<"$fail_rec"
line=$(sed -n 's/^CODE_LINE=//p' <<<"$fail_rec" | head -1)
# meson compiles with paths relative to the build directory: ../reconciler/manager.c
src=$(dirname "$0")/../reconciler/manager.c
# one of the two failure lines of work_done (with the retry delay, or without it while stopping:
# the daemon may log the failure after SIGTERM on a slow machine); gcc gives a call that spans
# two lines its first line, clang its last
ok "…CODE_LINE is the line of that log call" bash -c "sed -n '$((line - 1)),${line}p' '$src' | grep -q 'log_full(LOG_ERR, 0, fields, \"%s %s: %s: %s'"
ok "every record about web1 carries OBJECT_NAME=web1 (start, removal)" \
    test "$(record 'Domain web1' | grep -c '^OBJECT_NAME=web1$')" -ge 2
ok "no record names the logger as its location" bash -c "! grep -qE '^CODE_FILE=.*/log\.c$' '$d/records'"
ok "records have a CODE_FILE each" test "$(grep -c '^MESSAGE=' "$d/records")" = "$(grep -c '^CODE_FILE=' "$d/records")"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
