"""The NKI examples run as their users run them (python3 -m nsim.nki SCRIPT) and pass their own
numpy checks (each exits non-zero when a check fails)."""
import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "nki"


@pytest.mark.parametrize("script, args", [
    ("rmsnorm.py", []),
    ("layernorm.py", []),
    ("tensor_add_spmd.py", []),
    ("attention_fwd.py", []),
    ("matmul_steps.py", ["--size", "512", "1024", "2048"]),
    ("beta1_softmax.py", []),
    ("beta1_rmsnorm.py", []),
    ("beta1_layernorm.py", []),
    ("beta1_matmul.py", []),
    ("beta1_avgpool.py", []),
    ("beta1_transpose.py", []),
])
def test_example_runs_and_checks(script, args):
    env = dict(os.environ, NSIM_CHIP="trn1")
    run = subprocess.run([sys.executable, "-m", "nsim.nki", str(EXAMPLES / script)] + args,
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FAILED" not in run.stdout and "WRONG" not in run.stdout
