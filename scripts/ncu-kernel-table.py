#!/usr/bin/env python3
"""Sum an Nsight Compute raw CSV (one row per profiled launch) by kernel: a Markdown table of where
the GPU time went, largest first.

    ncu-kernel-table.py RAW.csv [RUNS]

RAW.csv comes from `ncu --csv --page raw --print-units base --metrics gpu__time_duration.sum,...`
(its second line holds the units, when ncu prints them). RUNS divides the totals, so a profile of N identical runs reads
per run. Launches group by kernel name, grid and block size: one cuBLAS kernel at two grid sizes is
two rows, which is the point when a GEMM's tiling is in question.
"""
import csv
import sys
from collections import OrderedDict

SCALE_TO_US = {"nsecond": 1e-3, "usecond": 1.0, "msecond": 1e3, "second": 1e6}


def is_number(text):
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    runs = int(argv[2]) if len(argv) > 2 else 1
    with open(argv[1], newline="") as f:
        lines = [line for line in f if line.startswith('"')]   # ncu prints its own lines before the CSV
    rows = list(csv.reader(lines))
    if len(rows) < 3:
        print(f"no launches in {argv[1]}")
        return 0
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    for needed in ("Kernel Name", "gpu__time_duration.sum"):
        if needed not in col:
            print(f"{argv[1]} has no column {needed!r}; columns: {header[:12]}…", file=sys.stderr)
            return 1
    duration = col["gpu__time_duration.sum"]
    unit = rows[1][duration].strip()
    if is_number(unit):   # no units line: ncu's base unit for a duration, nanoseconds (--print-units base)
        unit, launches = "nsecond", rows[1:]
    else:
        launches = rows[2:]
    scale = SCALE_TO_US.get(unit)
    if scale is None:
        print(f"unknown unit {unit!r} for gpu__time_duration.sum", file=sys.stderr)
        return 1

    def field(row, name):
        i = col.get(name)
        return row[i].replace(",", "") if i is not None and i < len(row) else "?"

    groups = OrderedDict()
    for row in launches:
        name = row[col["Kernel Name"]]
        short = name if len(name) <= 90 else name[:87] + "…"
        key = (short, field(row, "launch__grid_size"), field(row, "launch__block_size"),
               field(row, "launch__registers_per_thread"))
        us = float(row[duration].replace(",", "")) * scale
        g = groups.setdefault(key, [0, 0.0])
        g[0] += 1
        g[1] += us
    total = sum(g[1] for g in groups.values())
    print(f"{len(launches)} launches, {total / runs:.1f} µs of kernel time per run ({runs} run(s) profiled; "
          "ncu serialises launches, so gaps between kernels are not in it)")
    print()
    print("| kernel | grid | block | regs | launches per run | µs per run | µs per launch | share |")
    print("|---|---|---|---|---|---|---|---|")
    for (name, grid, block, regs), (n, us) in sorted(groups.items(), key=lambda kv: -kv[1][1]):
        print(f"| `{name}` | {grid} | {block} | {regs} | {n / runs:g} | {us / runs:.1f} | {us / n:.2f} | "
              f"{100 * us / total:.1f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
