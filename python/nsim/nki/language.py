"""nki.language on nsim: dtypes, buffers, tile sizes, tensor creation, indexing helpers, loops and
the operator tokens. Anything else is one NotImplementedError naming it."""
import numpy as _np

from . import dtypes as _dtypes
from . import index as _index
from . import isa as _isa
from . import tokens as _tokens
from . import trace as _trace
from .errors import NkiError, unsupported, stub_module_getattr
from .tensor import NkiTensor

for _name in _dtypes.DTYPES:
    globals()[_name] = _name
bool_ = "bool_"
globals().update(_tokens.TOKENS)

sbuf, psum, hbm, private_hbm, shared_hbm = "sbuf", "psum", "hbm", "private_hbm", "shared_hbm"
_BUFFERS = (sbuf, psum, hbm, private_hbm, shared_hbm)


class _TileSize:
    """nl.tile_size: plain ints from the target chip's limits (nsim.describe_chip)."""

    @staticmethod
    def _limits():
        from . import kernel
        return kernel.target_chip()["limits"]

    pmax = property(lambda self: self._limits()["partitions"])
    psum_bank_fmax_bytes = property(
        lambda self: self._limits()["psum_partition_bytes"] // self._limits()["psum_banks"])
    psum_fmax = psum_bank_fmax = property(lambda self: self.psum_bank_fmax_bytes // 4)
    psum_num_banks = property(lambda self: self._limits()["psum_banks"])
    gemm_stationary_fmax = property(lambda self: self._limits()["partitions"])
    gemm_moving_fmax = property(lambda self: self.psum_bank_fmax_bytes // 4)
    bn_stats_fmax = 512  # [src:nki-tile-size] (the verifier's kBnStatsFmax)
    psum_min_align = 4
    sbuf_min_align = 1
    total_available_sbuf_size = sbuf_fmax_bytes = property(
        lambda self: self._limits()["sbuf_partition_bytes"])
    sbuf_fmax = property(lambda self: self.sbuf_fmax_bytes // 4)


tile_size = _TileSize()


def _buffer(buffer, api):
    buffer = sbuf if buffer is None else buffer
    if buffer not in _BUFFERS:
        raise unsupported(f"{api}(buffer={buffer!r})")
    return buffer


def ndarray(shape, dtype, buffer=None, name="", address=None, **kwargs):
    """A new tensor: HBM tensors are kernel outputs (returned) or scratch; SBUF/PSUM tensors are
    placed by the allocator (docs/nki.md)."""
    t = _trace.current("nl.ndarray")
    buffer = _buffer(buffer, "nl.ndarray")
    _dtypes.canonical(dtype)
    if buffer in (sbuf, psum):
        return t.on_chip_tensor(shape, dtype, buffer, name, address)
    if address is not None:
        raise NkiError("nl.ndarray(address=...) places SBUF or PSUM tensors, not HBM ones")
    return t.hbm_tensor(name, shape, dtype, "scratch")


def zeros(shape, dtype, buffer=None, name="", **kwargs):
    return full(shape, 0, dtype, buffer, name)


def ones(shape, dtype, buffer=None, name="", **kwargs):
    return full(shape, 1, dtype, buffer, name)


def full(shape, fill_value, dtype, buffer=None, name="", **kwargs):
    buffer = _buffer(buffer, "nl.full")
    if buffer not in (sbuf, psum):
        raise NkiError("Creating HBM tensor with init value is not supported")
    t = ndarray(shape, dtype, buffer, name)
    _isa.memset(NkiTensor.whole(t.storage), fill_value)  # all blocks of a Beta 1 block tensor
    return t


def zeros_like(x, dtype=None, buffer=None, name=""):
    return zeros(x.shape, dtype or x.dtype, buffer or x.buffer, name)


def empty_like(x, dtype=None, buffer=None, name=""):
    return ndarray(x.shape, dtype or x.dtype, buffer or x.buffer, name)


def ds(start, size):
    return slice(start, start + size)


def _range(*args):
    return range(*args)


affine_range = sequential_range = static_range = _range


def program_id(axis=0):
    """This program's index along `axis` of an SPMD launch kernel[n0, ...] (0 without one)."""
    t = _trace.current("nl.program_id")
    grid = t.grid or (1,)
    if not 0 <= axis < len(grid):
        raise NkiError(f"invalid program axis {axis} (the launch grid has {len(grid)} "
                       f"{'axis' if len(grid) == 1 else 'axes'})")
    return int(_np.unravel_index(t.program_id, grid)[axis])


def num_programs(axes=None):
    """The number of programs along `axes` (an axis or a tuple of them; None: all)."""
    t = _trace.current("nl.num_programs")
    grid = t.grid or (1,)
    axes = range(len(grid)) if axes is None else (axes if isinstance(axes, tuple) else (axes,))
    return int(_np.prod([grid[a] for a in axes]))


def program_ndim():
    return len(_trace.current("nl.program_ndim").grid or ())


class _ParDim(int):
    par_dim = True


def par_dim(x):
    """Beta 1: marks the partition dim of a shape; dims before it are block dims."""
    return _ParDim(x)


class no_reorder:  # noqa: N801 (a context manager; nsim keeps program order anyway)
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def is_hbm(buffer):
    return buffer in (hbm, private_hbm, shared_hbm)


def is_on_chip(buffer):
    return buffer in (sbuf, psum)


def is_psum(buffer):
    return buffer == psum


def is_sbuf(buffer):
    return buffer == sbuf


def load(src, dtype=None, mask=None, **kwargs):
    from . import lowering
    return lowering.load(src, dtype, mask)


def store(dst, value, mask=None, **kwargs):
    from . import lowering
    lowering.store(dst, value, mask)


def load_transpose2d(src, dtype=None, mask=None, **kwargs):
    from . import lowering
    return lowering.load_transpose2d(src, dtype, mask)


def matmul(x, y, transpose_x=False, mask=None, **kwargs):
    from . import lowering
    return lowering.matmul(x, y, transpose_x, mask)


def transpose(x, dtype=None, mask=None, **kwargs):
    from . import lowering
    return lowering.transpose(x, dtype, mask)


def broadcast_to(src, shape, dtype=None, **kwargs):
    from . import lowering
    return lowering.broadcast_to(src, shape, dtype)


def negative(x, dtype=None, mask=None, **kwargs):
    from . import lowering
    return lowering.negative(x, dtype, mask)


def softmax(x, axis=-1, dtype=None, compute_dtype=None, mask=None, **kwargs):
    from . import lowering
    return lowering.softmax(x, axis, dtype, compute_dtype, mask)


def where(condition, x, y, dtype=None, mask=None, **kwargs):
    from . import lowering
    return lowering.where(condition, x, y, dtype, mask)


def var(x, axis, dtype=None, mask=None, **kwargs):
    from . import lowering
    return lowering.var(x, axis, dtype, mask)


def rms_norm(x, w, axis, n, epsilon=1e-06, dtype=None, compute_dtype=None, mask=None,
             **kwargs):
    from . import lowering
    return lowering.rms_norm(x, w, axis, n, epsilon, dtype, compute_dtype, mask)


def mean(x, axis, dtype=None, keepdims=False, mask=None, **kwargs):
    from . import lowering
    return lowering.mean(x, axis, dtype, keepdims, mask)


def expand_dims(data, axis):
    """Beta 1: size-1 free dims inserted after the last dim (a view, no instruction)."""
    axes = sorted(axis if isinstance(axis, (list, tuple)) else [axis])
    if axes != list(range(data.ndim, data.ndim + len(axes))):
        raise NkiError(f"nl.expand_dims: axes {axes} of a {data.ndim}-D tile: only after the "
                       f"last dim")
    return NkiTensor(data.storage, data.offset, data.dims + [(1, 1)] * len(axes), data.dtype)


def device_print(prefix, x, mask=None, **kwargs):
    """Traced kernels have no values to print: a warning, no instruction."""
    _trace.current("nl.device_print")
    import warnings
    warnings.warn(f"nl.device_print({prefix!r}): nsim.nki prints nothing (tile values exist "
                  f"only inside the simulation)", stacklevel=2)


def _reduction(token_name, api_name):
    def reduction(x, axis, dtype=None, keepdims=False, mask=None, **kwargs):
        from . import lowering
        return lowering.reduce(_tokens.TOKENS[token_name], x, axis, dtype, keepdims, mask)
    reduction.__name__ = api_name
    return reduction


sum = _reduction("add", "sum")  # noqa: A001 (NKI's name)
max = _reduction("maximum", "max")  # noqa: A001
min = _reduction("minimum", "min")  # noqa: A001
prod = _reduction("multiply", "prod")
arange, mgrid = _index.arange, _index.mgrid


__getattr__ = stub_module_getattr("nl")
