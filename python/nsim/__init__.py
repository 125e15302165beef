"""nsim: a simulator of AWS Inferentia and Trainium chips, from Python.

The package exposes nsim's libraries (not its command line): chips, kernel text, the verifier and
runs with numpy arrays in and out. ``nsim.nki`` runs NKI kernels on it.
"""
import sys

from . import _build_info


def _interpreter_error(reason):
    return ImportError(
        f"nsim was built for {_build_info.PYTHON_EXECUTABLE} (Python {_build_info.PYTHON_VERSION}), "
        f"but this is {sys.executable} (Python {sys.version.split()[0]}): {reason}. Run it with "
        f"{_build_info.PYTHON_EXECUTABLE}, or rebuild with cmake -DPython3_EXECUTABLE=...")


if tuple(sys.version_info[:2]) != tuple(int(x) for x in _build_info.PYTHON_VERSION.split(".")[:2]):
    raise _interpreter_error("another Python version")
try:
    import numpy  # the extension's arrays are numpy arrays
    del numpy
except ImportError as e:
    raise _interpreter_error("numpy is not importable here") from e
from . import _nsim  # noqa: E402
from .api import (Error, UsageError, InputError, ConfigError, KernelError, SimError,  # noqa: E402
                  Kernel, RunResult, chips, describe_chip, instances, describe_instance,
                  parse_kernel, verify, run)

__all__ = ["Error", "UsageError", "InputError", "ConfigError", "KernelError", "SimError", "Kernel",
           "RunResult", "chips", "describe_chip", "instances", "describe_instance", "parse_kernel",
           "verify", "run", "_nsim"]
