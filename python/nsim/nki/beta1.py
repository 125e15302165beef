"""neuronxcc.nki (NKI Beta 1): nsim.nki's entry points (jit, benchmark, baremetal,
simulate_kernel, profile) with the Beta 1 forms of `language`, `isa` and `compiler`
(docs/nki-beta1.md)."""
import nsim.nki as _nki
from nsim.nki import (Kernel, NkiError, baremetal, benchmark, jit, profile,  # noqa: F401
                      simulate, simulate_kernel, typing)
import nsim.nki.beta1_compiler as compiler  # noqa: F401 (imports: nsim.nki.__getattr__ answers)
import nsim.nki.beta1_isa as isa  # noqa: F401
import nsim.nki.beta1_language as language  # noqa: F401


def __getattr__(name):
    """The rest of nsim.nki (last_report, settings, placeholder, ...), or its NotImplemented."""
    return getattr(_nki, name)
