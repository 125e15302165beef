"""python3 -m nsim.nki [--chip CHIP] [--timing-only] [--print-kernel] SCRIPT.py [ARGS]: runs an
unmodified NKI script with `nki`, `nki.language`, `nki.isa` (and `neuronxcc.nki`) bound to nsim."""
import argparse
import runpy
import sys
import types

import nsim.nki as nsim_nki
import nsim.nki.beta1 as beta1  # (not `from nsim.nki import`: nsim.nki.__getattr__ answers)
from nsim.nki import beta1_isa, beta1_language, isa, kernel, language, typing

# The modules an NKI script imports, by name.
ALIASES = {
    "nki": nsim_nki,
    "nki.language": language,
    "nki.isa": isa,
    "nki.typing": typing,
    "neuronxcc.nki": beta1,
    "neuronxcc.nki.language": beta1_language,
    "neuronxcc.nki.isa": beta1_isa,
    "neuronxcc.nki.typing": typing,
    "neuronxcc.nki.compiler": beta1.compiler,
}


def install_aliases():
    """Binds the NKI module names to nsim's modules (sys.modules entries, so `import nki.isa as
    nisa` and `from neuronxcc import nki` both find them)."""
    neuronxcc = types.ModuleType("neuronxcc")
    neuronxcc.nki = beta1
    sys.modules["neuronxcc"] = neuronxcc
    sys.modules.update(ALIASES)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m nsim.nki", description=__doc__)
    parser.add_argument("--chip", help="trn1, inf2, trn2 or a chip JSON file (default: NSIM_CHIP, "
                        "NEURON_PLATFORM_TARGET_OVERRIDE, else trn2)")
    parser.add_argument("--timing-only", action="store_true",
                        help="simulate timing alone; outputs are zero-filled (NSIM_TIMING_ONLY=1)")
    parser.add_argument("--print-kernel", action="store_true",
                        help="print the nsim kernel text of every kernel call")
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    o = parser.parse_args(argv)
    if o.chip:
        kernel.settings.chip = o.chip
    if o.timing_only:
        kernel.settings.timing_only = True
    kernel.settings.print_kernel = o.print_kernel
    install_aliases()
    sys.argv = [o.script] + o.args
    runpy.run_path(o.script, run_name="__main__")


if __name__ == "__main__":
    main()
