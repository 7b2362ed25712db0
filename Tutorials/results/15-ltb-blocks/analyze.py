#!/usr/bin/env python3
"""Summarizes trees.csv of the Learning to Branch blocks study (run.sh): per seed, the searched tree
against a uniformly random tree of the same search space drawn from the same seed (paired control).

Tasks 0-2 form one block, 3-5 the other. Per tree:
  depth gap  = mean shared depth of within-block pairs - mean shared depth of across-block pairs
               (shared depth: how many of the two inner layers the two tasks' paths have in common);
  root gap   = fraction of within-block pairs sharing the layer-0 node - the same for across-block pairs;
  recovered  = 1 when the tasks' groups at the last inner layer are exactly the two blocks.
Means with 95% t-intervals over seeds, and of the paired differences searched - random."""
import csv, math, random, sys

T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
         11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
         20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048,
         29: 2.045, 30: 2.042, 39: 2.023, 49: 2.010}
BLOCKS = [{0, 1, 2}, {3, 4, 5}]
NODES, TASKS = 6, 6

def t_quantile(df):
    return T_975.get(df) or T_975[max(k for k in T_975 if k <= df)]

def paths(parents):
    """parents: [layer-1 nodes' parents, tasks' parents] -> each task's (layer-0 node, layer-1 node)."""
    return [(parents[0][parents[1][t]], parents[1][t]) for t in range(TASKS)]

def measures(parents):
    p = paths(parents)
    within, across = [], []
    for a in range(TASKS):
        for b in range(a + 1, TASKS):
            depth = 0 if p[a][0] != p[b][0] else (1 if p[a][1] != p[b][1] else 2)
            same_block = any(a in block and b in block for block in BLOCKS)
            (within if same_block else across).append(depth)
    mean = lambda xs: sum(xs) / len(xs)
    depth_gap = mean(within) - mean(across)
    root_gap = mean([d >= 1 for d in within]) - mean([d >= 1 for d in across])
    groups = {}
    for t in range(TASKS):
        groups.setdefault(p[t][1], set()).add(t)
    recovered = sorted(map(sorted, groups.values())) == [[0, 1, 2], [3, 4, 5]]
    return depth_gap, root_gap, float(recovered)

def random_tree(seed):
    rng = random.Random(1_000_003 * seed + 15)
    return [[rng.randrange(NODES) for _ in range(NODES)], [rng.randrange(NODES) for _ in range(TASKS)]]

def interval(xs):
    n = len(xs)
    m = sum(xs) / n
    if n < 2:
        return m, float("nan"), float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    h = t_quantile(n - 1) * sd / math.sqrt(n)
    return m, m - h, m + h

NAMES = ["depth gap (within - across, layers)", "root gap (within - across, fraction)", "exact block recovery"]


def report(rows, regime):
    searched, control = [], []
    for row in rows:
        parents = [[int(x) for x in layer.split(",")] for layer in row["tree"].split(";")]
        searched.append(measures(parents))
        control.append(measures(random_tree(int(row["seed"]))))
    print(f"## {regime} search epochs: {len(rows)} seeds\n")
    print("| measure | searched tree | random tree | searched - random (paired) |")
    print("|---|---|---|---|")
    f = lambda v: f"{v[0]:+.3f} [{v[1]:+.3f}, {v[2]:+.3f}]"
    for k, name in enumerate(NAMES):
        s = interval([x[k] for x in searched])
        c = interval([x[k] for x in control])
        d = interval([x[k] - y[k] for x, y in zip(searched, control)])
        print(f"| {name} | {f(s)} | {f(c)} | {f(d)} |")
    used = {}
    for row in rows:
        p = paths([[int(x) for x in layer.split(",")] for layer in row["tree"].split(";")])
        used[len({q[0] for q in p})] = used.get(len({q[0] for q in p}), 0) + 1
    print("\nMeans with 95% t-intervals over seeds. Layer-0 nodes the tasks use (nodes: seeds): "
          + ", ".join(f"{k}: {v}" for k, v in sorted(used.items())))
    print("\nTrees per seed: " + "; ".join(f"{row['seed']}: {row['tree']}" for row in rows) + "\n")


print("# Learning to Branch on blocks (rho 0.8 within a block, 0 across)\n")
all_rows = list(csv.DictReader(open(sys.argv[1] if len(sys.argv) > 1 else "trees.csv")))
for regime in sorted({int(r["search_epochs"]) for r in all_rows}):
    report([r for r in all_rows if int(r["search_epochs"]) == regime], regime)
