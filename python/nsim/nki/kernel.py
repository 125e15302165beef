"""@nki.jit kernels on nsim: trace the Python body once, place its on-chip tensors, simulate the
instructions, return numpy outputs. Also nki.simulate, nki.benchmark, nki.profile."""
import inspect
import json
import math
import os
import warnings

import numpy as np

from .. import api as _api
from . import dtypes
from . import trace as _trace
from .errors import NkiError, unsupported
from .tensor import NkiTensor


class Settings:
    """What runs a kernel: `chip` (None: NSIM_CHIP, NEURON_PLATFORM_TARGET_OVERRIDE, else trn2),
    `timing_only` (None: NSIM_TIMING_ONLY=1), `rotation` (physical buffers per allocation site,
    docs/nki.md), `dma_queues` (how many DMA queues the kernel's dma_copy calls rotate over), `sets` (chip overrides as for nsim.run), `print_kernel` (print the kernel text
    that is simulated)."""

    def __init__(self):
        self.chip = None
        self.timing_only = None
        self.rotation = 2
        self.dma_queues = None  # DMA queues used round-robin (None: all of the chip's)
        self.sets = {}
        self.print_kernel = False


settings = Settings()
_TARGETS = {"trn1": "trn1", "inf2": "inf2", "gen2": "trn1", "trn2": "trn2", "gen3": "trn2"}
_chips = {}
_last = {"report": None, "text": None}


def chip_name(platform_target=None):
    """--chip, NSIM_CHIP, the kernel's 0.2-style nki.jit(platform_target=...),
    NEURON_PLATFORM_TARGET_OVERRIDE, else trn2."""
    if settings.chip:
        return settings.chip
    if os.environ.get("NSIM_CHIP"):
        return os.environ["NSIM_CHIP"]
    if platform_target:
        return _target(platform_target, "platform_target")
    target = os.environ.get("NEURON_PLATFORM_TARGET_OVERRIDE")
    if target:
        return _target(target, "NEURON_PLATFORM_TARGET_OVERRIDE")
    return "trn2"


def _target(target, what):
    if target not in _TARGETS:
        raise NkiError(f"{what}={target}: nsim has trn1/inf2/gen2 and trn2/gen3",
                       ("<environment>", 0))
    return _TARGETS[target]


def target_chip(platform_target=None):
    key = (chip_name(platform_target), tuple(sorted(settings.sets.items())))
    if key not in _chips:
        _chips[key] = _api.describe_chip(key[0], dict(key[1]))
    return _chips[key]


def timing_only():
    if settings.timing_only is not None:
        return bool(settings.timing_only)
    return os.environ.get("NSIM_TIMING_ONLY", "") not in ("", "0")


def last_report():
    """The report (a dict with the keys of `nsim run --report`) of the latest kernel call."""
    return _last["report"]


def last_kernel_text():
    """The nsim kernel text the latest kernel call simulated."""
    return _last["text"]


class NkiArray:
    """Host values of a dtype numpy lacks (bf16, fp8, tf32): float32 values rounded to it."""

    def __init__(self, values, dtype):
        self.dtype = dtypes.canonical(dtype)
        self.values = _api._nsim.quantize(np.asarray(values, dtype=np.float32),
                                          dtypes.text_name(self.dtype))
        self.shape = self.values.shape


def placeholder(shape, dtype):
    """An input that gives only its shape and dtype (timing-only runs, nki.benchmark)."""
    p = NkiArray.__new__(NkiArray)
    p.dtype, p.values, p.shape = dtypes.canonical(dtype), None, tuple(shape)
    return p


def array(values, dtype):
    """An input array of `dtype`; bf16/fp8/tf32 values are rounded to nearest even."""
    if dtypes.host_dtype(dtype) is not np.float32 or dtypes.canonical(dtype) == "float32":
        return np.asarray(values, dtype=dtypes.host_dtype(dtype))
    return NkiArray(values, dtype)


def _input_dtype(value, name):
    if isinstance(value, NkiArray):
        return value.dtype, value
    if type(value).__module__.startswith("ml_dtypes") or str(value.dtype) in (
            "bfloat16", "float8_e4m3fn", "float8_e5m2"):
        return dtypes.canonical(str(value.dtype)), value.astype(np.float32)
    if value.dtype in (np.float64, np.int64, np.uint64):
        raise NkiError(f"argument '{name}' is {value.dtype}: NKI has no 64-bit types; pass "
                       f"float32 or int32")
    return dtypes.canonical(value.dtype), value


def _host_values(name, value):
    if isinstance(value, NkiArray):
        if value.values is None:
            raise NkiError(f"argument '{name}' is a placeholder without values: it serves "
                           f"timing-only runs (--timing-only, nki.benchmark)", ("<call>", 0))
        return value.values
    return value


class Kernel:
    """What @nki.jit returns: call it with numpy arrays."""

    def __init__(self, fn, platform_target=None):
        self.fn, self.platform_target = fn, platform_target
        self.benchmark_result = None
        self.__name__ = getattr(fn, "__name__", "kernel")
        self.__doc__ = getattr(fn, "__doc__", None)

    def __getitem__(self, grid):
        """SPMD launch: kernel[n] runs n programs; Beta 1's kernel[n0, n1(, n2)] runs n0*n1*n2,
        program p having nl.program_id(axis) = the axis-th index of p in the grid, row-major."""
        dims = grid if isinstance(grid, tuple) else (grid,)
        if not 1 <= len(dims) <= 3 or any(not isinstance(d, int) or d < 1 for d in dims):
            raise unsupported(f"SPMD launch {self.__name__}[{grid}] (one to three positive "
                              f"integers only)")
        return _Launch(self, dims)

    def with_schedule(self, edges):
        return self  # ordering hints: nsim keeps program order

    def __call__(self, *args, **kwargs):
        return run_kernel(self, args, kwargs)


class _Launch:
    """kernel[grid]: called, or given to nki.simulate / nki.benchmark / nki.baremetal."""

    def __init__(self, kernel, grid):
        self.kernel, self.grid = kernel, grid
        self.fn, self.platform_target = kernel.fn, kernel.platform_target
        self.__name__ = kernel.__name__

    def __call__(self, *args, **kwargs):
        return run_kernel(self, args, kwargs)


class _Program:
    """One traced program: its trace, input values, returned value and output views."""

    def __init__(self, fn, args, kwargs, chip, program_id, grid):
        self.trace = t = _trace.Trace(fn.__name__, chip, program_id, grid)
        bound = inspect.signature(fn).bind(*args, **kwargs)
        bound.apply_defaults()
        self.inputs, call_args, arg_views = {}, {}, {}
        for name, value in bound.arguments.items():
            if isinstance(value, (np.ndarray, NkiArray)):
                dtype, host = _input_dtype(value, name)
                view = t.hbm_tensor(name, host.shape, dtype, "input",
                                    (fn.__code__.co_filename, fn.__code__.co_firstlineno))
                self.inputs[view.storage.name] = host
                arg_views[name] = (view, value)
                value = view
            call_args[name] = value
        if _trace._current is not None:
            raise NkiError("a kernel called from inside another kernel: call it as a plain "
                           "function")
        _trace._current = t
        try:
            self.returned = fn(**call_args)
        finally:
            _trace._current = None
        self.outputs = _outputs(self.returned)
        # Beta 1 kernels may store into an argument (`c_output`) instead of returning a tensor:
        # it is an output that starts with the caller's values, which get its results back.
        self.written_args = [(view, value) for view, value in arg_views.values()
                             if isinstance(value, np.ndarray) and t.written(view.name).size]
        for view, _ in self.written_args:
            view.storage.role = "output"
        self.text, self.origins = t.kernel_text(settings.rotation)


def run_kernel(fn, args, kwargs, timing=None, trace_file=None, grid=None):
    """Traces the SPMD programs of fn's launch grid (program 0..programs-1) and runs them, program
    p on core p % (the chip's cores), sharing the outputs: each program's writes are merged."""
    chip = target_chip(getattr(fn, "platform_target", None))
    grid = getattr(fn, "grid", grid)
    fn = getattr(fn, "fn", fn)
    programs = math.prod(grid or (1,))
    traced = [_Program(fn, args, kwargs, chip, p, grid) for p in range(programs)]
    first = traced[0]
    _last["text"] = first.text
    if settings.print_kernel:
        print("\n".join(p.text for p in traced))
    warn = timing is None  # nki.benchmark asks for timing only: its outputs are undefined in NKI
    timing = timing_only() if timing is None else timing
    inputs = {} if timing else {name: _host_values(name, value)
                                for name, value in first.inputs.items()}
    file = f"<nki kernel {fn.__name__}>"
    try:
        if programs > 1:  # which program an error is in: verify them one by one
            for p in traced:
                current = p
                _api.verify(p.text, chip["name"], settings.sets, file)
        current = first
        result = _api.run([p.text for p in traced], chip["name"], inputs, sets=settings.sets,
                          cores=min(programs, chip["cores"]), timing_only=timing,
                          trace=trace_file is not None, file=file)
    except _api.KernelError as e:
        raise _kernel_error(e, current.origins) from None
    _last["report"] = result.report
    if trace_file:
        _write_trace(result.trace, first.origins, trace_file)
    if timing and warn:
        warnings.warn("nsim.nki: timing only: the outputs are zero-filled, not computed",
                      stacklevel=3)
    arrays = [_output_array(view, traced, result, timing) for view in first.outputs]
    if not timing:
        for view, caller_array in first.written_args:
            np.copyto(caller_array, _output_array(view, traced, result, timing), casting="unsafe")
    if first.returned is None:
        return None
    return arrays[0] if isinstance(first.returned, NkiTensor) else tuple(arrays)


def _output_array(view, traced, result, timing):
    s = view.storage
    if timing:
        return np.zeros(s.shape, dtypes.host_dtype(s.dtype))
    if len(traced) == 1:
        return result.outputs[s.name]
    # SPMD: every element from the core of the last program that wrote it.
    out = result.core_outputs[0][s.name].copy()
    flat = out.reshape(-1)
    for p, program in enumerate(traced):
        written = program.trace.written(s.name)
        core = result.core_outputs[p % len(result.core_outputs)][s.name].reshape(-1)
        flat[written] = core[written]
    return out


def _outputs(returned):
    if returned is None:
        return []
    views = [returned] if isinstance(returned, NkiTensor) else list(returned)
    for v in views:
        if not isinstance(v, NkiTensor) or v.buffer not in ("hbm", "shared_hbm", "private_hbm"):
            raise NkiError(f"a kernel returns HBM tensors (nl.shared_hbm), found {v!r}",
                           getattr(getattr(v, "storage", None), "where", None))
        if v.storage.role == "input":
            raise unsupported("returning an input tensor")
        if v.shape != v.storage.shape:
            raise NkiError(f"a kernel returns whole tensors, found a view {v.shape} of "
                           f"{v.storage.shape}", v.storage.where)
        v.storage.role = "output"
    return views


def _kernel_error(e, origins):
    """The verifier's first diagnostic, at the kernel line that made the instruction."""
    messages = []
    for _file, line, _col, message in e.diagnostics:
        where = origins.get(line)
        if where:
            messages.append(NkiError(f"{where[2]}: {message}", where[:2]))
    if not messages:
        return e
    first = messages[0]
    if len(messages) > 1:
        first.args = (first.args[0] + "".join(f"\n{m.args[0]}" for m in messages[1:4]),)
    return first


def _write_trace(trace_json, origins, path):
    trace = json.loads(trace_json)
    for ev in trace["traceEvents"]:
        where = origins.get(ev.get("args", {}).get("line"))
        if where:
            ev["name"] = f"{where[2]} {os.path.basename(where[0])}:{where[1]}"
            ev["args"] = {"file": where[0], "line": where[1]}
    with open(path, "w") as f:
        json.dump(trace, f)


def jit(fn=None, mode="auto", platform_target=None, **kwargs):
    """A kernel; Beta 1's mode="benchmark" makes it nki.benchmark's (the other modes run it)."""
    make = (lambda f: benchmark(Kernel(f, platform_target))) if mode == "benchmark" else \
        (lambda f: Kernel(f, platform_target))
    return make if fn is None else make(fn)


def simulate(kernel):
    """nki.simulate(kernel)(*arrays): the outputs, computed (never timing only)."""
    return lambda *args, **kwargs: run_kernel(kernel, args, kwargs, timing=False)


class _Latency:
    def __init__(self, us):
        self.us = us

    def get_latency_percentile(self, p):
        if p not in (0, 1, 10, 25, 50, 90, 99, 100):
            raise ValueError(f"percentile {p}: expected 0, 1, 10, 25, 50, 90, 99 or 100")
        return self.us  # the simulation is deterministic: every run takes the same time


class BenchmarkResult:
    def __init__(self, us):
        self.nc_latency = _Latency(us)


def _wrap(cls, kernel, *extra):
    """A Kernel subclass around a jit kernel or a plain function, keeping its platform_target."""
    return cls(getattr(kernel, "fn", kernel), getattr(kernel, "platform_target", None), *extra)


class _Benchmarked(Kernel):
    def __call__(self, *args, **kwargs):
        out = run_kernel(self, args, kwargs, timing=True)
        self.benchmark_result = BenchmarkResult(last_report()["time_ns"] / 1000)
        return out


def benchmark(kernel=None, warmup=10, iters=100, **kwargs):
    """NKI's benchmark: the kernel's simulated latency (timing only: values are not used, outputs
    are zeros) in .benchmark_result.nc_latency.get_latency_percentile(p), microseconds."""
    if kernel is None:
        return lambda k: _wrap(_Benchmarked, k)
    return _wrap(_Benchmarked, kernel)


class _Profiled(Kernel):
    def __init__(self, fn, platform_target, path):
        super().__init__(fn, platform_target)
        self.path = path

    def __call__(self, *args, **kwargs):
        return run_kernel(self, args, kwargs, trace_file=self.path)


def profile(func=None, working_directory=".", save_trace_name="profile.json", **kwargs):
    """Runs the kernel and writes a Chrome/Perfetto trace whose bars name the kernel's lines."""
    path = os.path.join(working_directory, save_trace_name)
    if func is None:
        return lambda k: _wrap(_Profiled, k, path)
    return _wrap(_Profiled, func, path)
