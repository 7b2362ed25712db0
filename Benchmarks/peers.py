#!/usr/bin/env python3
"""Time mtl-bench's peer workloads in numpy and PyTorch (CPU) and print mtl-bench's JSON lines.

Each line has the fields mtl-bench prints, in the same order and format:

    {"workload": "gemm_512x512x512", "impl": "torch", "threads": 1, "ms": 2.8890, "gflops": 92.92}

`ms` is the median wall time of one call after warm-up, with the warm-up and repeat counts that
mtl-bench uses; `gflops` only where the workload has a FLOP count. Benchmarks/WORKLOADS.md defines the
workloads; Benchmarks/compare.py puts these lines beside mtl-bench's.

    python3 Benchmarks/peers.py                                  # every peer workload but epoch, 1 and 2 threads
    python3 Benchmarks/peers.py --only gemm,conv --threads 2     # some groups, one thread count
    python3 Benchmarks/peers.py --only epoch --threads 1         # whole training epochs (seconds each)
    python3 Benchmarks/peers.py --filter 'gemm_(512|1024)'       # workloads whose name matches a regex
    python3 Benchmarks/peers.py --quick                          # few repeats: checks that it runs
    python3 Benchmarks/peers.py --list                           # the workload names, nothing timed

numpy and PyTorch are both optional: the workloads of a missing one are skipped with a note on
stderr (numpy times GEMM only; PyTorch times every workload). Each thread count runs in a child
process of its own whose BLAS and OpenMP pools are sized by OMP_NUM_THREADS, OPENBLAS_NUM_THREADS
and MKL_NUM_THREADS (read when those libraries load), torch.set_num_threads and, when installed,
threadpoolctl. Notes, versions and the BLAS in use go to stderr, so stdout holds only JSON lines.

The `epoch` group (epoch_shapes_multihead, epoch_shapes_roaming: one timed call is one training
epoch over the shapes data's training split) is not in the default groups, as in mtl-bench: it runs
only when named in --only.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

# Groups as mtl-bench names them, and the finer names an earlier peer script used (mlp, cnn, roaming).
GROUPS = {
    "gemm": {"gemm"},
    "conv": {"conv"},
    "steps": {"mlp", "cnn", "roaming"},
    "mlp": {"mlp"},
    "cnn": {"cnn"},
    "roaming": {"roaming"},
    "epoch": {"epoch"},     # not in --only's default: each call is a whole epoch, seconds long
}
# mtl-bench groups that have no peer: accepted by --only (so one list serves both), timing nothing here.
PROJECT_ONLY_GROUPS = {"autodiff", "data", "balancers"}

GEMM_SHAPES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (32, 144, 32768)]  # (M, K, N)

# conv3x3: batch 32, 16 → 32 channels, 32×32 images, 3×3 kernel, stride 1, padding 1, with bias.
CONV_BATCH, CONV_IN, CONV_OUT, CONV_SIZE = 32, 16, 32, 32
CONV_FLOPS = 2.0 * CONV_BATCH * CONV_OUT * CONV_SIZE * CONV_SIZE * CONV_IN * 9

TASKS = 4              # heads of the CNN
SHARING_RATIO = 0.5    # p of the Maximum Roaming masks
CNN_CHANNELS = [(3, 16), (16, 32), (32, 64)]

# The epoch workloads: `mtl train --dataset shapes` with its defaults. 3,000 samples, 2,100 of them
# the training split, images 3×32×32; eight multi-label tasks; batches of 64 (32 full, one of 52).
SHAPES_TRAIN, SHAPES_SIZE = 2100, 32
SHAPES_LABELS = [3, 3, 2, 2, 2, 2, 2, 2]     # labels per task
EPOCH_BATCH = 64
ROAMING_INTERVAL = 10                        # batches between two roaming updates


def shapes_step_flops(head_labels):
    """FLOPs of one training pass over one image of the shapes network with heads of `head_labels`
    outputs: 3 × the forward pass (Σ convolutions 2·C_out·H·W·C_in·9 with H = W = 32, 16, 8, plus
    Σ heads 2·1024·L), less the first convolution's input gradient, which is never needed."""
    size, convolutions = SHAPES_SIZE, []
    for c_in, c_out in CNN_CHANNELS:
        convolutions.append(2.0 * c_out * size * size * c_in * 9)
        size //= 2
    features = CNN_CHANNELS[-1][1] * size * size                  # 64·4·4 = 1024
    forward = sum(convolutions) + sum(2.0 * features * labels for labels in head_labels)
    return 3 * forward - convolutions[0]


# One epoch: every training image once, through all eight heads (multi-head), or through one task's
# masked network and head per task pass (roaming: eight passes per batch, each dense in PyTorch).
EPOCH_MULTIHEAD_FLOPS = SHAPES_TRAIN * shapes_step_flops(SHAPES_LABELS)
EPOCH_ROAMING_FLOPS = sum(SHAPES_TRAIN * shapes_step_flops([labels]) for labels in SHAPES_LABELS)


def install_hint():
    return "install it with `bash Benchmarks/setup-peers.sh` and run this script with .venv-peers/bin/python"


# --------------------------------------------------------------------------------------------------
# Timing and output, as mtl-bench does them


def median_ms(body, warm_up, repeats):
    """The median of `repeats` timed calls of `body` after `warm_up` untimed ones, in milliseconds."""
    for _ in range(warm_up):
        body()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        body()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(samples)


def json_line(workload, impl, threads, ms, flops=None):
    """One line in mtl-bench's format: fields in its order, ms with 4 decimals, gflops with 2."""
    line = f'{{"workload": {json.dumps(workload)}, "impl": {json.dumps(impl)}, "threads": {threads}, "ms": {ms:.4f}'
    if flops is not None:
        line += f', "gflops": {flops / (ms * 1e-3) / 1e9:.2f}'
    return line + "}"


class Counts:
    """mtl-bench's warm-up and repeat counts, from its --repeats value R (default 15)."""

    def __init__(self, repeats, quick):
        self.repeats = repeats
        self.quick = quick

    def __call__(self, warm_up, repeats):
        return (1, min(repeats, 3)) if self.quick else (warm_up, repeats)

    def plain(self):          # GEMM, convolution, mtl_cnn_step: 3 warm-up calls, R timed
        return self(3, self.repeats)

    def mlp(self):            # mtl_mlp_step: 10 warm-up steps, 7R timed
        return self(10, self.repeats * 7)

    def alternating(self):    # the per-task loops: 2 warm-up batches, max(3, R/2) timed
        return self(2, max(3, self.repeats // 2))

    def epoch(self):          # the epoch workloads: 1 warm-up epoch, max(3, R/5) timed
        return self(1, max(3, self.repeats // 5))


# --------------------------------------------------------------------------------------------------
# The workloads. Each entry: (name, group, impl, setup); setup(counts) builds the inputs and returns
# (body, warm_up, repeats, flops). Nothing is allocated for a workload that --only/--filter leaves out.


def numpy_gemm(m, k, n):
    def setup(counts):
        import numpy as np
        generator = np.random.default_rng(0)
        a = generator.uniform(-1, 1, (m, k)).astype(np.float32)
        b = generator.uniform(-1, 1, (k, n)).astype(np.float32)
        c = np.empty((m, n), dtype=np.float32)
        return (lambda: np.matmul(a, b, out=c)), *counts.plain(), 2.0 * m * n * k
    return setup


def torch_gemm(m, k, n):
    def setup(counts):
        import torch
        generator = torch.Generator().manual_seed(0)
        a = torch.rand(m, k, generator=generator) * 2 - 1
        b = torch.rand(k, n, generator=generator) * 2 - 1
        c = torch.empty(m, n)
        return (lambda: torch.matmul(a, b, out=c)), *counts.plain(), 2.0 * m * n * k
    return setup


def conv_inputs(requires_grad):
    import torch
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(CONV_BATCH, CONV_IN, CONV_SIZE, CONV_SIZE, generator=generator)
    weight = torch.randn(CONV_OUT, CONV_IN, 3, 3, generator=generator) * 0.1
    bias = torch.zeros(CONV_OUT)
    for tensor in (x, weight, bias):
        tensor.requires_grad_(requires_grad)
    return x, weight, bias


def torch_conv_forward(counts):
    import torch
    import torch.nn.functional as F
    x, weight, bias = conv_inputs(requires_grad=False)

    def body():
        with torch.no_grad():
            F.conv2d(x, weight, bias, stride=1, padding=1)
    return body, *counts.plain(), CONV_FLOPS


def torch_conv_forward_backward(counts):
    import torch
    import torch.nn.functional as F
    x, weight, bias = conv_inputs(requires_grad=True)
    ones = torch.ones(CONV_BATCH, CONV_OUT, CONV_SIZE, CONV_SIZE)   # the gradient of sum(output)

    def body():
        x.grad = weight.grad = bias.grad = None                      # fresh gradients, as mtl-bench
        F.conv2d(x, weight, bias, stride=1, padding=1).backward(ones)
    return body, *counts.plain(), 3 * CONV_FLOPS


def torch_mlp_step(counts):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.manual_seed(0)
    trunk = nn.Sequential(nn.Linear(100, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU())
    towers = nn.ModuleList(nn.Sequential(nn.Linear(128, 32), nn.ReLU(), nn.Linear(32, 1)) for _ in range(2))
    optimizer = torch.optim.Adam(list(trunk.parameters()) + list(towers.parameters()), lr=1e-3)
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(256, 100, generator=generator)
    targets = [torch.randn(256, 1, generator=generator) for _ in towers]

    def body():
        optimizer.zero_grad()
        shared = trunk(x)
        loss = sum(F.mse_loss(tower(shared), target) for tower, target in zip(towers, targets))
        loss.backward()
        optimizer.step()
    return body, *counts.mlp(), None


def roaming_masks(seed, tasks=TASKS):
    """Per task and convolution, a 0/1 mask over the output channels shaped [1, C, 1, 1], drawn as
    TaskMask's default (round-robin fill) draws it: channel c first goes to task c mod T, then each
    task gets random extra channels until round(p·C) are active."""
    import random
    import torch
    rng = random.Random(seed)
    masks = [[] for _ in range(tasks)]
    for _, channels in CNN_CHANNELS:
        active = max(1, int(SHARING_RATIO * channels + 0.5))
        for task in range(tasks):
            chosen = {c for c in range(channels) if c % tasks == task}
            chosen.update(rng.sample([c for c in range(channels) if c not in chosen], active - len(chosen)))
            mask = torch.zeros(channels)
            mask[sorted(chosen)] = 1
            masks[task].append(mask.view(1, channels, 1, 1))
    return masks


def make_cnn(seed, shapes=False):
    """The CNN of mtl_cnn_step: three 3×3 convolutions (3→16→32→64, padding 1), ReLU, 2×2 max pooling
    after the first two, global average pooling after the third, and TASKS heads Linear(64, 2).
    With shapes=True, the shapes backbone of the epoch workloads (`--backbone plain`, width 16):
    2×2 max pooling after the third convolution too, flattened to 64·4·4 = 1024 features, and one
    head Linear(1024, L) per task of SHAPES_LABELS.
    With masks, the task's mask multiplies each convolution's output before its ReLU."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.manual_seed(seed)
    if shapes:
        features = CNN_CHANNELS[-1][1] * (SHAPES_SIZE // 8) ** 2
        head_shapes = [(features, labels) for labels in SHAPES_LABELS]
    else:
        head_shapes = [(64, 2)] * TASKS

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.convolutions = nn.ModuleList(nn.Conv2d(i, o, 3, padding=1) for i, o in CNN_CHANNELS)
            self.heads = nn.ModuleList(nn.Linear(i, o) for i, o in head_shapes)

        def features(self, x, masks=None):
            for index, convolution in enumerate(self.convolutions):
                x = convolution(x)
                if masks is not None:
                    x = x * masks[index]
                x = F.relu(x)
                if index < 2:
                    x = F.max_pool2d(x, 2)
                elif shapes:
                    x = F.max_pool2d(x, 2).flatten(1)
                else:
                    x = x.mean(dim=(2, 3))
            return x

    return CNN()


def cnn_batch():
    import torch
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(64, 3, 32, 32, generator=generator)
    targets = [torch.randint(0, 2, (64,), generator=generator) for _ in range(TASKS)]
    return x, targets


def torch_cnn_step(counts):
    import torch
    import torch.nn.functional as F
    model = make_cnn(seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, targets = cnn_batch()

    def body():
        optimizer.zero_grad()
        shared = model.features(x)
        loss = sum(F.cross_entropy(head(shared), target) for head, target in zip(model.heads, targets))
        loss.backward()
        optimizer.step()
    return body, *counts.plain(), None


def torch_alternating_step(masked):
    """Per batch, for each task in turn: (masked) forward, that task's loss, backward, Adam step."""
    def setup(counts):
        import torch
        import torch.nn.functional as F
        model = make_cnn(seed=3)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        x, targets = cnn_batch()
        masks = roaming_masks(seed=2) if masked else [None] * TASKS

        def body():
            for task in range(TASKS):
                optimizer.zero_grad()
                logits = model.heads[task](model.features(x, masks[task]))
                F.cross_entropy(logits, targets[task]).backward()
                optimizer.step()
        return body, *counts.alternating(), None
    return setup


def shapes_epoch_data():
    """Random images and 0/1 labels of the shapes data's training split sizes (timing does not depend
    on the values): images [2100, 3, 32, 32] uniform in [0, 1), per task labels [2100, L_t]."""
    import torch
    generator = torch.Generator().manual_seed(1)
    images = torch.rand(SHAPES_TRAIN, 3, SHAPES_SIZE, SHAPES_SIZE, generator=generator)
    labels = [(torch.rand(SHAPES_TRAIN, count, generator=generator) < 0.5).float() for count in SHAPES_LABELS]
    return images, labels


def epoch_batches(epoch):
    """The batch indices of one epoch: a permutation seeded by the epoch number, in batches of 64."""
    import torch
    order = torch.randperm(SHAPES_TRAIN, generator=torch.Generator().manual_seed(epoch))
    return [order[start:start + EPOCH_BATCH] for start in range(0, SHAPES_TRAIN, EPOCH_BATCH)]


def torch_epoch_multihead(counts):
    """One epoch of the multi-head network: per batch, one Adam step on the sum of the 8 task losses."""
    import itertools
    import torch
    import torch.nn.functional as F
    model = make_cnn(seed=0, shapes=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    images, labels = shapes_epoch_data()
    epochs = itertools.count()

    def body():
        for index in epoch_batches(next(epochs)):
            x = images.index_select(0, index)                        # gathered, as the Swift trainer
            optimizer.zero_grad()
            shared = model.features(x)
            loss = sum(F.binary_cross_entropy_with_logits(head(shared), task_labels.index_select(0, index))
                       for head, task_labels in zip(model.heads, labels))
            loss.backward()
            optimizer.step()
    return body, *counts.epoch(), EPOCH_MULTIHEAD_FLOPS


def roam(masks, visited, rng):
    """A Maximum Roaming update: for each masked convolution and each task, one active channel
    (uniformly at random) swaps places with one channel the task has never used (the same); a task
    that has visited every channel keeps its mask."""
    for layer, (_, channels) in enumerate(CNN_CHANNELS):
        for task, task_masks in enumerate(masks):
            mask = task_masks[layer].view(channels)
            unvisited = [c for c in range(channels) if c not in visited[task][layer]]
            if not unvisited:
                continue
            active = [c for c in range(channels) if mask[c] > 0]
            leaving, joining = rng.choice(active), rng.choice(unvisited)
            mask[leaving], mask[joining] = 0, 1
            visited[task][layer].add(joining)


def torch_epoch_roaming(counts):
    """One epoch of Maximum Roaming (p = 0.5), task-alternating: per batch, for each task in turn, a
    masked forward pass, that task's loss, backward, Adam step; a roaming update every 10 batches."""
    import itertools
    import random
    import torch
    import torch.nn.functional as F
    tasks = len(SHAPES_LABELS)
    model = make_cnn(seed=3, shapes=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    images, labels = shapes_epoch_data()
    masks = roaming_masks(seed=2, tasks=tasks)
    visited = [[{c for c in range(mask.numel()) if mask.view(-1)[c] > 0} for mask in task_masks]
               for task_masks in masks]
    rng = random.Random(4)
    epochs = itertools.count()

    def body():
        for batch, index in enumerate(epoch_batches(next(epochs))):
            x = images.index_select(0, index)
            for task in range(tasks):
                optimizer.zero_grad()
                logits = model.heads[task](model.features(x, masks[task]))
                F.binary_cross_entropy_with_logits(logits, labels[task].index_select(0, index)).backward()
                optimizer.step()
            if (batch + 1) % ROAMING_INTERVAL == 0:
                roam(masks, visited, rng)
    return body, *counts.epoch(), EPOCH_ROAMING_FLOPS


def workloads():
    """Every peer workload, in the order mtl-bench runs them."""
    table = []
    for m, k, n in GEMM_SHAPES:
        table.append((f"gemm_{m}x{k}x{n}", "gemm", "numpy", numpy_gemm(m, k, n)))
        table.append((f"gemm_{m}x{k}x{n}", "gemm", "torch", torch_gemm(m, k, n)))
    table += [
        ("conv3x3_fwd", "conv", "torch", torch_conv_forward),
        ("conv3x3_fwd_bwd", "conv", "torch", torch_conv_forward_backward),
        ("mtl_mlp_step", "mlp", "torch", torch_mlp_step),
        ("mtl_cnn_step", "cnn", "torch", torch_cnn_step),
        ("mtl_roaming_step", "roaming", "torch", torch_alternating_step(masked=True)),
        ("mtl_alternating_step_unmasked", "roaming", "torch", torch_alternating_step(masked=False)),
        ("epoch_shapes_multihead", "epoch", "torch", torch_epoch_multihead),
        ("epoch_shapes_roaming", "epoch", "torch", torch_epoch_roaming),
    ]
    return table


# --------------------------------------------------------------------------------------------------
# Running


IMPORT_ERRORS = {}


def available(module):
    """Whether `module` imports; why not is kept in IMPORT_ERRORS."""
    if module not in IMPORT_ERRORS:
        try:
            __import__(module)
            IMPORT_ERRORS[module] = None
        except ImportError as error:
            IMPORT_ERRORS[module] = str(error)
    return IMPORT_ERRORS[module] is None


def describe_libraries(threads):
    """Versions and the BLAS actually loaded, on stderr (what to write next to quoted figures)."""
    parts = []
    if available("numpy"):
        import numpy
        parts.append(f"numpy {numpy.__version__}")
    if available("torch"):
        import torch
        parts.append(f"torch {torch.__version__} (intra-op threads: {torch.get_num_threads()})")
    if available("threadpoolctl"):
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            words = [pool.get("internal_api"), pool.get("version"), pool.get("architecture") and f"[{pool['architecture']}]"]
            parts.append(" ".join(str(w) for w in words if w) + f" (threads: {pool.get('num_threads')})")
    print(f"peers.py: threads={threads}: " + "; ".join(parts), file=sys.stderr)


def run_child(arguments):
    threads = arguments.child_threads
    selected = select(arguments)
    limits = None
    if available("threadpoolctl"):
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(limits=threads)
    if available("torch"):
        import torch
        torch.set_num_threads(threads)
    describe_libraries(threads)
    counts = Counts(arguments.repeats, arguments.quick)
    for name, _, impl, setup in selected:
        body, warm_up, repeats, flops = setup(counts)
        print(json_line(name, impl, threads, median_ms(body, warm_up, repeats), flops), flush=True)
    if limits is not None:
        limits.restore_original_limits()


def select(arguments):
    """The workloads that --only, --filter and the installed libraries leave."""
    chosen = set()
    for group in arguments.only:
        chosen |= GROUPS.get(group, set())
    pattern = re.compile(arguments.filter) if arguments.filter else None
    impls = {impl for impl in ("numpy", "torch") if available(impl)}
    return [entry for entry in workloads()
            if entry[1] in chosen and entry[2] in impls and (pattern is None or pattern.search(entry[0]))]


def parse(argv):
    parser = argparse.ArgumentParser(
        description="Time mtl-bench's peer workloads (Benchmarks/WORKLOADS.md) in numpy and PyTorch; "
                    "print one JSON line per measurement.")
    parser.add_argument("--only", default="gemm,conv,steps",
                        help="comma-separated groups: gemm, conv, steps (= mlp, cnn, roaming), or mlp, cnn, "
                             "roaming, and epoch (whole training epochs, only when named); mtl-bench's "
                             "autodiff, data and balancers have no peer (default: gemm,conv,steps)")
    parser.add_argument("--filter", metavar="REGEX",
                        help="only the workloads whose name matches REGEX (re.search), e.g. 'gemm_512|conv'")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default: 1,2)")
    parser.add_argument("--repeats", type=int, default=15,
                        help="mtl-bench's --repeats R: timed calls per workload, 7R for mtl_mlp_step, "
                             "max(3, R/2) for the per-task loops, max(3, R/5) epochs for the epoch "
                             "workloads (default: 15)")
    parser.add_argument("--quick", action="store_true",
                        help="1 warm-up call and at most 3 timed calls per workload: checks that everything "
                             "runs; not for quoting")
    parser.add_argument("--list", action="store_true", help="print the selected workloads and exit")
    parser.add_argument("--child-threads", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)

    arguments.only = [group for group in arguments.only.split(",") if group]
    unknown = [g for g in arguments.only if g not in GROUPS and g not in PROJECT_ONLY_GROUPS]
    if unknown:
        parser.error(f"--only: unknown group(s) {', '.join(unknown)}")
    try:
        arguments.threads = [int(t) for t in arguments.threads.split(",")]
    except ValueError:
        parser.error(f"--threads: expected a list like 1,2, got '{arguments.threads}'")
    if not arguments.threads or min(arguments.threads) < 1:
        parser.error("--threads: thread counts must be 1 or more")
    if arguments.repeats < 1:
        parser.error("--repeats: expected a positive integer")
    if arguments.filter:
        try:
            re.compile(arguments.filter)
        except re.error as error:
            parser.error(f"--filter: not a regular expression: {error}")
    return arguments


def main(argv):
    arguments = parse(argv)
    if arguments.child_threads is not None:
        run_child(arguments)
        return 0

    missing = [name for name in ("numpy", "torch") if not available(name)]
    for name in missing:
        what = "the numpy GEMM lines are" if name == "numpy" else "every PyTorch line is"
        print(f"peers.py: {name} cannot be imported ({IMPORT_ERRORS[name]}), so {what} skipped; "
              f"{install_hint()}", file=sys.stderr)
    if len(missing) == 2:
        print("peers.py: neither numpy nor PyTorch can be imported: nothing to time", file=sys.stderr)
        return 1
    if os.environ.get("OPENBLAS_CORETYPE"):
        print(f"peers.py: OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} forces OpenBLAS's kernel choice; "
              "for numpy's best GEMM, unset it (and OPENBLAS_L2_SIZE) for this command", file=sys.stderr)

    selected = select(arguments)
    if arguments.list:
        for name, group, impl, _ in selected:
            print(f"{name}\t{impl}\t{group}")
        return 0
    if not selected:
        print("peers.py: no workload selected (check --only and --filter; see --list)", file=sys.stderr)
        return 1
    if arguments.quick:
        print("peers.py: --quick: 1 warm-up and at most 3 timed calls each; do not quote these times",
              file=sys.stderr)

    # One child process per thread count: BLAS and OpenMP read their pool sizes when they load.
    passed = [a for a in argv if a != "--list"]
    for threads in arguments.threads:
        environment = dict(os.environ)
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            environment[variable] = str(threads)
        sys.stdout.flush()
        status = subprocess.call([sys.executable, os.path.abspath(__file__), *passed,
                                  "--child-threads", str(threads)], env=environment)
        if status != 0:
            print(f"peers.py: the {threads}-thread run failed (exit status {status})", file=sys.stderr)
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
