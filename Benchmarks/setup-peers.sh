#!/usr/bin/env bash
# Makes the Python environment that Benchmarks/peers.py runs in: numpy, threadpoolctl and PyTorch,
# installed with pip into a virtual environment of their own (default: .venv-peers at the repository
# root, which .gitignore leaves out). The peers are only timed beside mtl-bench; the Swift package
# never depends on them.
#
#   bash Benchmarks/setup-peers.sh              # then: .venv-peers/bin/python Benchmarks/peers.py
#
# Settings (environment variables):
#   PEERS_VENV   where to make the environment             (default: <repository>/.venv-peers)
#   PYTHON       the interpreter that makes it             (default: python3, 3.9 or newer)
#   TORCH_SPEC   the pip requirement for PyTorch           (default: torch; "none" skips PyTorch)
#   NUMPY_SPEC   the pip requirement for numpy             (default: numpy)
#
# Only PyTorch's CPU code is used. On Linux x86_64 the default `torch` wheel also brings NVIDIA's CUDA
# libraries (a few GB of disk); where a CPU-only build is available to pip (another index given with
# pip's own PIP_INDEX_URL / PIP_EXTRA_INDEX_URL, or a local wheel folder in PIP_FIND_LINKS), ask for it
# with TORCH_SPEC, e.g. TORCH_SPEC='torch==2.13.0+cpu'. Write the versions you used next to the figures
# you quote (peers.py prints them on stderr).
set -euo pipefail

repository=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${PEERS_VENV:-$repository/.venv-peers}
python=${PYTHON:-python3}
torch_spec=${TORCH_SPEC:-torch}
numpy_spec=${NUMPY_SPEC:-numpy}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    echo "setup-peers.sh: needs Python 3.9 or newer as '$python' (set PYTHON=...)" >&2
    exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "setup-peers.sh: making the virtual environment $venv"
    "$python" -m venv "$venv"
fi

echo "setup-peers.sh: installing $numpy_spec and threadpoolctl"
"$venv/bin/python" -m pip install --quiet "$numpy_spec" threadpoolctl
if [ "$torch_spec" != none ]; then
    echo "setup-peers.sh: installing $torch_spec (used on the CPU only)"
    "$venv/bin/python" -m pip install --quiet "$torch_spec"
fi

"$venv/bin/python" - <<'EOF'
import importlib
for name in ("numpy", "threadpoolctl", "torch"):
    try:
        module = importlib.import_module(name)
        print(f"setup-peers.sh: {name} {module.__version__}")
    except ImportError:
        print(f"setup-peers.sh: {name} not installed")
EOF

cat <<EOF
setup-peers.sh: ready. Time the peers with
    $venv/bin/python $repository/Benchmarks/peers.py > peers.jsonl
EOF
