"""The nsim package's API over the _nsim extension: chips, kernels, verification and runs."""
import json

from . import _nsim

Error = _nsim.Error
UsageError = _nsim.UsageError
InputError = _nsim.InputError
ConfigError = _nsim.ConfigError
KernelError = _nsim.KernelError  # .diagnostics: [(file, line, column, message), ...]
SimError = _nsim.SimError
Kernel = _nsim.Kernel


def _sets(sets):
    """`--set`-style overrides given as a dict {"timing.tensor_clock_ghz": 3.0} as text values."""
    out = {}
    for path, value in (sets or {}).items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        out[str(path)] = str(value)
    return out


def chips():
    """The names of the built-in chips (configs/chips)."""
    return list(_nsim.chips())


def describe_chip(chip, sets=None):
    """A chip's parameters after `sets`: name, generation, cores, limits and every parameter with
    its value and source (as `nsim describe CHIP`)."""
    return _nsim.describe_chip(chip, _sets(sets))


def instances():
    """The names of the built-in instances (configs/instances)."""
    return list(_nsim.instances())


def describe_instance(instance, sets=None):
    """An instance after `sets`: name, chip, chip count, topology, price and every parameter with
    its value and source (as `nsim describe INSTANCE`)."""
    return _nsim.describe_instance(instance, _sets(sets))


def parse_kernel(text, file="<kernel>"):
    """A Kernel from kernel text (docs/kernel-format.md); KernelError names file:line:column."""
    return _nsim.parse_kernel(text, file)


def verify(kernel, chip, sets=None, file="<kernel>"):
    """Raises KernelError (with .diagnostics) when `kernel` breaks a rule of `chip`."""
    if isinstance(kernel, str):
        kernel = parse_kernel(kernel, file)
    _nsim.verify(kernel, file, chip, _sets(sets))


class RunResult:
    """What a run produced: `outputs` (name -> numpy array, core 0's), `core_outputs` (the same
    for every core), `report` (the dict of `nsim run --report`), `summary` (the text `nsim run`
    prints) and `trace` (Chrome/Perfetto trace JSON text, or None)."""

    def __init__(self, raw):
        self.core_outputs = raw["outputs"]
        self.outputs = self.core_outputs[0] if self.core_outputs else {}
        self.report = json.loads(raw["report_json"])
        self.summary = raw["summary"]
        self.trace = raw["trace_json"] or None
        self.race_count = raw["race_count"]

    @property
    def time_ns(self):
        return self.report["time_ns"]


def run(kernel, chip, inputs=None, sets=None, cores=1, timing_only=False, trace=False, seed=1,
        races="error", file="<kernel>"):
    """Verifies and simulates `kernel` (a Kernel or kernel text) on `chip` (a name or JSON file),
    on `cores` cores each with its own tensors. `kernel` may be a list (SPMD programs declaring
    the same tensors): program p runs on core p % cores, a core's programs one after another. `inputs` maps input tensor names to numpy arrays
    (bf16/fp8/tf32 tensors take float values, rounded to nearest even); the others are filled from
    `seed`. Outputs of bf16/fp8/tf32 tensors come back as float32 arrays of the exact values."""
    kernels = [parse_kernel(k, file) if isinstance(k, str) else k
               for k in (kernel if isinstance(kernel, (list, tuple)) else [kernel])]
    raw = _nsim.run(kernels, file, chip, _sets(sets), dict(inputs or {}), int(cores),
                    bool(timing_only), bool(trace), int(seed), races)
    return RunResult(raw)
