#!/usr/bin/env python3
"""Put mtl-bench's JSON lines beside the peers' and print a markdown table of time ratios.

    python3 Benchmarks/compare.py ours.jsonl peers.jsonl [more.jsonl ...]

Reads every line that holds a JSON object with the fields "workload", "impl", "threads" and "ms"
(other lines, such as build output, are skipped) from all the files, in any order. Lines whose impl
starts with "multitaskkit" are the project's; the others (numpy, torch, ...) are peers. One row per
workload, thread count and project impl; per peer, its time and the ratio

    ratio = project ms / peer ms        (below 1.00 the project is faster)

By default only workloads that some peer measured are shown; --all adds the project-specific ones.
Quote ratios from one run (both files made back to back on one machine): when a workload appears in
several lines for the same impl and thread count, the table shows their median, marks the cell with
how many lines it came from, and says so on stderr.
"""

import argparse
import json
import statistics
import sys

OURS = "multitaskkit"
PEER_ORDER = ["numpy", "torch"]     # known peers first, in this order; others after them, by name


def read(paths):
    """{(workload, impl, threads): [ms, ...]} and the workloads in first-seen order."""
    times, order = {}, []
    for path in paths:
        with open(path, encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    row = json.loads(line)
                    key = (str(row["workload"]), str(row["impl"]), int(row["threads"]))
                    ms = float(row["ms"])
                except (ValueError, KeyError, TypeError) as error:
                    print(f"compare.py: {path}:{number}: skipped, not a benchmark line ({error})", file=sys.stderr)
                    continue
                times.setdefault(key, []).append(ms)
                if key[0] not in order:
                    order.append(key[0])
    return times, order


def milliseconds(value):
    """Four significant figures, never in exponent form: 0.3850, 2.921, 24.01, 118.5, 1036."""
    if value >= 999.95:
        return f"{value:.0f}"
    return f"{value:#.4g}" if value >= 0.001 else f"{value:.2e}"


def cell(samples, key, notes):
    value = statistics.median(samples)
    if len(samples) > 1:
        notes.append(f"{key[0]} {key[1]} {key[2]} thread(s): median of {len(samples)} lines")
        return value, f"{milliseconds(value)} (×{len(samples)})"
    return value, milliseconds(value)


def main(argv):
    parser = argparse.ArgumentParser(description="Markdown table of mtl-bench's times against the peers' "
                                                 "(ratio = project ms / peer ms).")
    parser.add_argument("files", nargs="+", metavar="FILE.jsonl", help="mtl-bench's and peers.py's output")
    parser.add_argument("--all", action="store_true", help="also the workloads no peer measured")
    arguments = parser.parse_args(argv)
    if len(arguments.files) < 2:
        print("compare.py: give two or more files: mtl-bench's lines and peers.py's", file=sys.stderr)

    times, order = read(arguments.files)
    ours = sorted({impl for _, impl, _ in times if impl.startswith(OURS)}, key=lambda i: (i != OURS, i))
    peers = [p for p in PEER_ORDER if any(k[1] == p for k in times)]
    peers += sorted({impl for _, impl, _ in times if not impl.startswith(OURS) and impl not in peers})
    if not ours:
        print("compare.py: no mtl-bench line (impl multitaskkit...) in the files", file=sys.stderr)
        return 1
    if not peers:
        print("compare.py: no peer line (numpy, torch, ...) in the files", file=sys.stderr)

    header = ["workload", "threads", "MultiTaskKit ms"] + [f"{p} ms" for p in peers] + [f"ratio vs {p}" for p in peers]
    rows, notes, unmatched = [], [], set()
    for workload in order:
        thread_counts = sorted({k[2] for k in times if k[0] == workload})
        for threads in thread_counts:
            peer_samples = {p: times.get((workload, p, threads)) for p in peers}
            has_peer = any(peer_samples.values())
            for impl in ours:
                key = (workload, impl, threads)
                if key not in times or not (has_peer or arguments.all):
                    continue
                mine, mine_text = cell(times[key], key, notes)
                label = workload if impl == OURS else f"{workload} ({impl})"
                peer_cells, ratio_cells = [], []
                for p in peers:
                    if peer_samples[p]:
                        theirs, text = cell(peer_samples[p], (workload, p, threads), notes)
                        peer_cells.append(text)
                        ratio_cells.append(f"{mine / theirs:.2f}")
                    else:
                        peer_cells.append("—")
                        ratio_cells.append("—")
                rows.append([label, str(threads), mine_text] + peer_cells + ratio_cells)
            if has_peer and not any((workload, impl, threads) in times for impl in ours):
                unmatched.add(f"{workload} ({threads} thread(s))")

    if not rows:
        print("compare.py: no workload measured by both mtl-bench and a peer (--all shows mtl-bench's alone)",
              file=sys.stderr)
        return 1
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("Ratio = MultiTaskKit ms / peer ms (below 1.00 MultiTaskKit is faster).")
    for note in dict.fromkeys(notes):
        print(f"compare.py: {note} (quote ratios from one run)", file=sys.stderr)
    for workload in sorted(unmatched):
        print(f"compare.py: peers measured {workload}, mtl-bench did not", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
