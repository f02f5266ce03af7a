"""Sourced by the benchmark scripts through python3: turns the lines "TOOL CASE SECONDS
PEAK_KB" that measure() appended (CASE is "SIZE:ROWS") into a table of medians, rows per
second, peak memory and the ratios of sluice to the other tool.

Usage: summarize.py RESULTS SIZE_LABEL OTHER_TOOL
"""
import statistics
import sys
from collections import defaultdict

path, size_label, other = sys.argv[1], sys.argv[2], sys.argv[3]
runs = defaultdict(list)
for line in open(path):
    tool, case, secs, kb = line.split()
    runs[(case, tool)].append((float(secs), int(kb)))
print(f"{size_label:>12} {'rows':>10} {'tool':7} {'median s':>9} {'rows/s':>11} {'peak MiB':>9} "
      f"{'x ' + other:>9} {'memory':>7}")
for case in sorted({c for c, _ in runs}, key=lambda c: int(c.split(':')[0])):
    size, rows = (int(x) for x in case.split(':'))
    med = {t: (statistics.median(s for s, _ in runs[(case, t)]), max(k for _, k in runs[(case, t)]))
           for t in ("sluice", other)}
    for tool in ("sluice", other):
        s, kb = med[tool]
        print(f"{size:12,} {rows:10,} {tool:7} {s:9.2f} {rows / s:11,.0f} {kb / 1024:9.0f} "
              f"{med[other][0] / s:9.1f} {kb / med[other][1]:7.2f}")
