"""The NKI API (nki, nki.language, nki.isa) on nsim: `import nsim.nki as nki`, or run an
unmodified script with `python3 -m nsim.nki SCRIPT.py` (docs/nki.md)."""
from . import isa, language, lowering, typing  # noqa: F401 (every submodule: __getattr__ below)
from .errors import NkiError, stub_module_getattr  # noqa: F401
from .kernel import (Kernel, array, benchmark, jit, last_kernel_text, last_report,  # noqa: F401
                     placeholder, profile, settings, simulate)

__all__ = ["isa", "language", "lowering", "typing", "NkiError", "Kernel", "array", "benchmark",
           "jit", "last_kernel_text", "last_report", "placeholder", "profile", "settings",
           "simulate", "baremetal", "simulate_kernel"]



def baremetal(kernel=None, **kwargs):
    """Beta 1: runs the kernel and returns its outputs (nki.simulate); decorator or call, with
    or without keyword arguments (NEFF and trace names are ignored)."""
    return simulate(kernel) if kernel is not None else simulate


def simulate_kernel(kernel, *args, **kwargs):
    """Beta 1: runs `kernel` on `args` and returns its outputs."""
    return simulate(kernel)(*args, **kwargs)


# The Beta 1 (neuronxcc.nki) modules: after the names above, which beta1 re-exports.
from . import beta1, beta1_isa, beta1_language  # noqa: E402,F401


__getattr__ = stub_module_getattr("nki")
