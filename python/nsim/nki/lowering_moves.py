"""NKI's high-level data-movement calls (nl.load, nl.store, nl.load_transpose2d, nl.copy,
nl.matmul, nl.transpose, nl.broadcast_to), lowered to ISA instructions into new tiles. The rules
and their reasons: docs/nki.md "Convenience functions" and docs/nki-beta1.md."""
from . import index
from . import isa as nisa
from . import language as nl
from .errors import NkiError, unsupported
from .tensor import NkiTensor, clip


def new_tile(shape, dtype, buffer="sbuf"):
    return nl.ndarray(tuple(shape), dtype, buffer=buffer)


def _box(mask):
    box = index.region(mask)
    return None if box is index.EMPTY else box


def _hbm(src, api, what="src"):
    if not isinstance(src, NkiTensor) or src.storage.on_chip:
        found = f"a tile in {src.buffer!r}" if isinstance(src, NkiTensor) else \
            type(src).__name__
        raise NkiError(f"err_unsupported_memory: expected operand '{what}' of '{api}' to be in "
                       f"address space 'hbm', but got {found}")
    return src


def load(src, dtype=None, mask=None, **kwargs):
    """A new SBUF tile holding src (an HBM view whose first dim becomes the partitions; a 1-D
    src a column): one dma_copy. dtype= converts: the DMA copies src's type, then a tensor_copy
    converts (nsim's DMA moves bytes)."""
    _hbm(src, "load")
    shape = src.shape if len(src.shape) > 1 else (src.shape[0], 1)
    box = _box(mask)
    tile = new_tile(shape, src.dtype)
    if box is not None:
        nisa.dma_copy(dst=clip(tile, box), src=clip(src, box))
    if dtype is None or dtype == src.dtype or box is None:
        return tile
    return copy(tile, dtype, mask)


def store(dst, value, mask=None, **kwargs):
    """dst (HBM) = value: one dma_copy; a PSUM value is first copied to SBUF (tensor_copy), the
    DMA queues reading SBUF and HBM only."""
    _hbm(dst, "store", "dst")
    box = _box(mask)
    if box is None:
        return
    if isinstance(value, NkiTensor) and value.buffer == "psum":
        value = copy(value, mask=mask)
    nisa.dma_copy(dst=clip(dst, box), src=clip(value, box))


def load_transpose2d(src, dtype=None, mask=None, **kwargs):
    """HBM [a, b] -> a new SBUF tile [b, a]: one dma_copy whose source walks src column by
    column (nsim has no DMA-transpose instruction; an element-strided DMA costs what one
    descriptor per element costs)."""
    _hbm(src, "load_transpose2d")
    if src.ndim != 2:
        raise NkiError(f"err_exceed_max_supported_dimension: nl.load_transpose2d takes a 2-D "
                       f"tensor, found shape {src.shape}")
    transposed = NkiTensor(src.storage, src.offset, [src.dims[1], src.dims[0]], src.dtype)
    return load(transposed, dtype, mask)


def copy(x, dtype=None, mask=None, **kwargs):
    """A new SBUF tile: one tensor_copy (exact for one dtype; converts otherwise)."""
    box = _box(mask)
    out = new_tile(x.shape, dtype or x.dtype)
    if box is not None:
        nisa.tensor_copy(dst=clip(out, box), src=clip(x, box))
    return out


def transpose(x, dtype=None, mask=None, **kwargs):
    """x [P, F] (both <= 128) -> a new PSUM tile [F, P]: one nc_transpose on the Tensor engine
    (NKI's documented lowering; the result is in PSUM)."""
    if not isinstance(x, NkiTensor) or x.ndim != 2:
        raise NkiError(f"err_exceed_max_supported_dimension: nl.transpose takes a 2-D tile, "
                       f"found {getattr(x, 'shape', type(x).__name__)}")
    if mask is not None:
        raise unsupported("nl.transpose(mask=...)")
    out = new_tile((x.shape[1], x.shape[0]), dtype or x.dtype, "psum")
    nisa.nc_transpose(dst=out, data=x, engine=nisa.engine.tensor)
    return out


def matmul(x, y, transpose_x=False, mask=None, **kwargs):
    """x @ y (x [M, K], y [K, N]; with transpose_x=True x is given as [K, M]): one nc_matmul
    (stationary x^T, moving y) into a new fp32 PSUM tile [M, N]. Without transpose_x, x is first
    transposed (nc_transpose to PSUM, tensor_copy back to SBUF), as NKI documents."""
    for name, v in (("x", x), ("y", y)):
        if not isinstance(v, NkiTensor) or v.ndim != 2:
            raise NkiError(f"nl.matmul: {name} must be a 2-D tile, found "
                           f"{getattr(v, 'shape', type(v).__name__)}")
    if not transpose_x:
        x = copy(transpose(x))
    if x.shape[0] != y.shape[0]:
        raise NkiError(f"nl.matmul: contraction sizes differ: x^T is {x.shape}, y {y.shape}")
    return masked_matmul(x, y, mask)


def masked_matmul(stationary, moving, mask):
    """nc_matmul into a new fp32 PSUM tile [M, N]. A mask is on the result's grid (axis 0 = M,
    axis 1 = N): it cuts the stationary's and the moving's free dims, never the contraction."""
    out = new_tile((stationary.shape[1], moving.shape[1]), "float32", "psum")
    box = _box(mask)
    if box is None:
        return out
    if set(box) - {0, 1}:
        raise NkiError("a matmul mask cuts the result's axes 0 (M) and 1 (N) only")
    m, n = box.get(0), box.get(1)
    nisa.nc_matmul(clip(out, box), clip(stationary, {1: m} if m else {}),
                   clip(moving, {1: n} if n else {}))
    return out


def stretch(v, shape):
    """v with its size-1 free dims repeated to `shape` (a view with step 0: no instruction)."""
    if v.shape == shape:
        return v
    dims = []
    for (stride, n), want in zip(v.dims, shape):
        if n != want and (n != 1 or len(dims) == 0):
            raise NkiError(f"err_num_partition_mismatch: cannot broadcast {v.shape} to {shape}")
        dims.append((stride if n == want else 0, want))
    return NkiTensor(v.storage, v.offset, dims, v.dtype)


def broadcast_to(src, shape, dtype=None, **kwargs):
    """src broadcast to `shape` (NumPy rules). Along free dims it is a step-0 view. Along the
    partitions (a [1, F] tile) it is the Tensor engine's ones-matmul: a [1, P] tile of ones
    (memset) times src, F <= 512 columns per nc_matmul into PSUM, each copied (tensor_copy)
    into a new SBUF tile of src's dtype."""
    shape = tuple(int(s) for s in shape)
    if not isinstance(src, NkiTensor) or src.ndim != len(shape):
        raise NkiError(f"broadcast_to: a tile of {len(shape)} dims to broadcast to {shape}, "
                       f"found {getattr(src, 'shape', type(src).__name__)}")
    if src.shape[0] == shape[0]:
        return stretch(src, shape)
    if src.shape[0] != 1 or src.ndim != 2:
        raise NkiError(f"err_num_partition_mismatch: cannot broadcast {src.shape} to {shape} "
                       f"(partitions broadcast from 1, 2-D tiles)")
    if src.buffer != "sbuf":
        src = copy(src)
    ones = new_tile((1, shape[0]), src.dtype)
    nisa.memset(dst=ones, value=1.0)
    out = new_tile((shape[0], src.shape[1]), dtype or src.dtype)
    step = nl.tile_size.gemm_moving_fmax
    for c in range(0, src.shape[1], step):
        n = min(step, src.shape[1] - c)
        part = new_tile((shape[0], n), "float32", "psum")
        nisa.nc_matmul(part, ones, src[:, c:c + n])
        nisa.tensor_copy(dst=out[:, c:c + n], src=part)
    return stretch(out, shape)
