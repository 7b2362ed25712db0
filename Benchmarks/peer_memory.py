#!/usr/bin/env python3
"""Measure the peak resident memory of the PyTorch equivalent of `mtl train --dataset shapes` and print JSON lines.

The training is peers.py's epoch workloads (epoch_shapes_multihead, epoch_shapes_roaming: 2,100
training images 3×32×32, batches of 64, Adam 10⁻³; Benchmarks/WORKLOADS.md defines them), run for E
epochs in a fresh child process per (architecture, E), with one thread. Each child prints one line:

    {"workload": "memory_shapes_multihead", "impl": "torch", "threads": 1, "epochs": 3, "peak_mib": 754.1, "peak_after_first_epoch_mib": 754.0}

`peak_mib` is the child's peak resident set size at the end (getrusage(RUSAGE_SELF).ru_maxrss, KiB on
Linux, / 1024), `peak_after_first_epoch_mib` the same read after the first epoch: the two differ when
the peak grows across epochs. A first child that only imports torch and makes the data, training
nothing, gives the baseline line `memory_python_torch_import` (no `epochs` field).

    .venv-peers/bin/python Benchmarks/peer_memory.py                                       # both, 1, 3, 9, 27 epochs
    .venv-peers/bin/python Benchmarks/peer_memory.py --architectures multihead --epochs 1,3  # fewer runs

Like peers.py's children, each child sizes its BLAS and OpenMP pools through OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS and MKL_NUM_THREADS, torch.set_num_threads and, when installed, threadpoolctl.
Notes (the torch version) go to stderr, so stdout holds only JSON lines. Linux only (ru_maxrss in KiB).
"""

import argparse
import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402  (the models, data and training loops: nothing is duplicated here)

THREADS = 1
SETUPS = {"multihead": peers.torch_epoch_multihead, "roaming": peers.torch_epoch_roaming}
BASELINE = "baseline"


def peak_mib():
    """The process's peak resident set size so far, in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(architecture, epochs):
    if peers.available("threadpoolctl"):
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=THREADS)
    import torch
    torch.set_num_threads(THREADS)
    print(f"peer_memory.py: torch {torch.__version__} (intra-op threads: {torch.get_num_threads()}); "
          f"{architecture}, {epochs} epoch(s)", file=sys.stderr)

    if architecture == BASELINE:
        data = peers.shapes_epoch_data()          # the data the training children hold, no model
        print(f'{{"workload": "memory_python_torch_import", "impl": "torch", "threads": {THREADS}, '
              f'"peak_mib": {peak_mib():.1f}}}', flush=True)
        del data
        return

    # setup(counts) builds the model, optimizer and data and returns (body, warm-up, repeats, flops);
    # one call of body is one epoch (its epoch number advances by itself). counts only sets the
    # warm-up and repeat numbers, which are not used here.
    body, *_ = SETUPS[architecture](peers.Counts(repeats=15, quick=False))
    body()
    after_first = peak_mib()
    for _ in range(epochs - 1):
        body()
    print(f'{{"workload": "memory_shapes_{architecture}", "impl": "torch", "threads": {THREADS}, '
          f'"epochs": {epochs}, "peak_mib": {peak_mib():.1f}, "peak_after_first_epoch_mib": {after_first:.1f}}}',
          flush=True)


def parse(argv):
    parser = argparse.ArgumentParser(
        description="Peak resident memory of the PyTorch equivalent of `mtl train --dataset shapes` "
                    "(peers.py's epoch workloads) by number of epochs; one JSON line per run.")
    parser.add_argument("--architectures", default="multihead,roaming",
                        help="comma-separated: multihead, roaming (default: multihead,roaming)")
    parser.add_argument("--epochs", default="1,3,9,27", help="comma-separated epoch counts (default: 1,3,9,27)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the memory_python_torch_import line")
    parser.add_argument("--child-architecture", help=argparse.SUPPRESS)
    parser.add_argument("--child-epochs", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)

    arguments.architectures = [a for a in arguments.architectures.split(",") if a]
    unknown = [a for a in arguments.architectures if a not in SETUPS]
    if unknown or not arguments.architectures:
        parser.error(f"--architectures: expected multihead and/or roaming, got '{','.join(unknown)}'")
    try:
        arguments.epochs = [int(e) for e in arguments.epochs.split(",") if e]
    except ValueError:
        parser.error(f"--epochs: expected a list like 1,3,9,27, got '{arguments.epochs}'")
    if not arguments.epochs or min(arguments.epochs) < 1:
        parser.error("--epochs: epoch counts must be 1 or more")
    return arguments


def main(argv):
    arguments = parse(argv)
    if arguments.child_architecture is not None:
        run_child(arguments.child_architecture, arguments.child_epochs or 0)
        return 0
    if not peers.available("torch"):
        print(f"peer_memory.py: torch cannot be imported ({peers.IMPORT_ERRORS['torch']}); {peers.install_hint()}",
              file=sys.stderr)
        return 1

    runs = [] if arguments.no_baseline else [(BASELINE, 0)]
    runs += [(a, e) for a in arguments.architectures for e in arguments.epochs]
    environment = dict(os.environ)
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        environment[variable] = str(THREADS)
    for architecture, epochs in runs:
        sys.stdout.flush()
        status = subprocess.call([sys.executable, os.path.abspath(__file__), "--child-architecture", architecture,
                                  "--child-epochs", str(epochs)], env=environment)
        if status != 0:
            print(f"peer_memory.py: the {architecture} run ({epochs} epochs) failed (exit status {status})",
                  file=sys.stderr)
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
