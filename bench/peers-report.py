#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/peers-report.py SAMPLES: the markdown table of bench/peers (stdout).

SAMPLES holds KEY<TAB>VALUE lines written by bench/peers: TOOL.WORKLOAD<TAB>SECONDS (one line
per repetition; TOOL is floor, virtspec, vagrant or ansible), meta.NAME<TAB>TEXT and
warn<TAB>TEXT. Every figure is the median of its repetitions, [min–max] when there are several;
a ratio is the tool's median over the floor's median of the same workload, in the same run.
Exit status 1 when a workload has no floor or no virtspec figure."""
import statistics
import sys

num, meta, warns = {}, {}, []
for line in open(sys.argv[1], encoding="utf-8"):
    key, _, value = line.rstrip("\n").partition("\t")
    if key.startswith("meta."):
        meta[key[5:]] = value
    elif key == "warn":
        warns.append(value)
    else:
        num.setdefault(key, []).append(float(value))

# (workload key, what it is, the tools that have it)
ROWS = [
    ("up1", "up / apply of 1 VM (define + start)", ("vagrant",)),
    ("up5", "up / apply of 5 VMs (define + start)", ("vagrant",)),
    ("status1", "status, 1 VM", ("vagrant",)),
    ("status5", "status, 5 VMs", ("vagrant",)),
    ("mem", "memory 128 → 96 MiB on the running VM", ("vagrant",)),
    ("destroy1", "destroy 1 VM", ("vagrant",)),
    ("destroy5", "destroy 5 VMs", ("vagrant",)),
    ("create20", "20 domains: define + start", ("ansible",)),
    ("rerun20", "20 domains: the same run again (idempotent, nothing to do)", ("ansible",)),
    ("teardown20", "20 domains: destroy + undefine", ("ansible",)),
]


def fmt(s):
    if s >= 10:
        return "%.1f s" % s
    if s >= 1:
        return "%.2f s" % s
    return "%.0f ms" % (s * 1000)


def figure(tool, key):
    v = num.get("%s.%s" % (tool, key))
    if not v:
        return None, "–"
    med = statistics.median(v)
    text = fmt(med)
    if len(v) > 1:
        text += " [%s–%s]" % (fmt(min(v)), fmt(max(v)))
    return med, text


def ratio(med, floor_med):
    if med is None or not floor_med:
        return ""
    return " (%.2f×)" % (med / floor_med)


missing = []
print("| workload | floor | virtspec | vagrant-libvirt | Ansible community.libvirt |")
print("|---|---|---|---|---|")
for key, what, peers in ROWS:
    f_med, f_txt = figure("floor", key)
    v_med, v_txt = figure("virtspec", key)
    if f_med is None or v_med is None:
        missing.append(key)
    cells = [f_txt, v_txt + ratio(v_med, f_med)]
    for tool in ("vagrant", "ansible"):
        if tool in peers:
            med, txt = figure(tool, key)
            cells.append(txt + ratio(med, f_med) if med is not None else "not measured")
        else:
            cells.append("–")
    print("| %s | %s |" % (what, " | ".join(cells)))
print()
print("Medians of %s repetitions (vagrant-libvirt rows and their floor/virtspec figures) and %s "
      "(the 20-domain rows), [min–max]; (N×) is the median over the floor's median of the same "
      "row, measured in the same run." % (meta.get("reps", "?"), meta.get("areps", "?")))
for k in ("date", "commit", "command", "versions", "host", "loadavg"):
    if k in meta:
        print("- %s: %s" % (k, meta[k]))
if "ansible_rerun_changed" in meta:
    print("- Ansible's PLAY RECAP: changed=%s on create + start, changed=%s on the re-run"
          % (meta.get("ansible_create_changed", "?"), meta["ansible_rerun_changed"]))
for w in warns:
    print("- WARNING: %s" % w)
if missing:
    print("bench/peers: no floor or virtspec figure for: %s" % " ".join(missing), file=sys.stderr)
    sys.exit(1)
