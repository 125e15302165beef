"""NKI tensors: storage (an HBM tensor, or an SBUF/PSUM allocation) and strided views of it.

A view is `offset + sum(stride_k * i_k)` over its dims in elements of the storage, as NKI's
strided-view model (reference nki-language.md §2.6). On-chip storage is (partitions, free...)
with the partition dim first; its partition stride is the per-partition element count."""
import math

from . import dtypes
from .errors import NkiError, unsupported
from .index import IndexExpr
from .tokens import TOKENS

ON_CHIP = ("sbuf", "psum")
_ALL = slice(None)


class Storage:
    """One logical tensor: a kernel argument or output in HBM, or one execution of
    nl.ndarray(...) on chip (placed by the allocator after tracing)."""

    __slots__ = ("ident", "name", "shape", "dtype", "buffer", "where", "first_use", "last_use",
                 "address", "partition_start", "fixed", "on_chip", "partition_elements",
                 "matmul_written", "role", "created")

    def __init__(self, ident, name, shape, dtype, buffer, where):
        self.ident, self.name, self.shape = ident, name, tuple(int(s) for s in shape)
        self.dtype, self.buffer, self.where = dtypes.canonical(dtype), buffer, where
        self.first_use = self.last_use = None  # instruction indices
        self.address = None  # bytes per partition from the start of SBUF/PSUM (on chip)
        self.partition_start = 0
        self.fixed = None  # (partition, byte offset) given with nl.ndarray(address=...)
        self.on_chip = buffer in ON_CHIP
        self.partition_elements = math.prod(self.shape[1:])  # per partition (HBM: per row)
        self.matmul_written = None  # PSUM: elements whose last write was a matmul
        self.role = None  # HBM: the kernel text's tensor role
        self.created = 0  # on chip: the instruction count when it was made

    @property
    def size(self):
        return math.prod(self.shape)

    @property
    def partition_bytes(self):
        return self.partition_elements * dtypes.size(self.dtype)

    def used(self, index):
        if self.first_use is None:
            self.first_use = index
        self.last_use = index


class NkiTensor:
    """A view: storage, element offset, dims [(stride, size), ...] outermost first. A view made
    with nl.arange subscripts keeps them (`subscripts`: per tensor dim its size, constant and
    coefficient per view dim) so that their bounds are checked after a mask has cut the view;
    `blocks` counts leading Beta 1 block dims (before the nl.par_dim partition dim)."""

    __slots__ = ("storage", "offset", "dims", "dtype", "subscripts", "blocks")
    __hash__ = object.__hash__

    def __init__(self, storage, offset, dims, dtype=None, subscripts=None, blocks=0):
        self.storage, self.offset, self.dims = storage, offset, dims
        self.dtype = storage.dtype if dtype is None or dtype == storage.dtype else \
            dtypes.canonical(dtype)
        self.subscripts, self.blocks = subscripts, blocks

    @classmethod
    def whole(cls, storage):
        dims, stride = [], 1
        for size in reversed(storage.shape):
            dims.insert(0, (stride, size))
            stride *= size
        return cls(storage, 0, dims)

    shape = property(lambda self: tuple(size for _, size in self.dims))
    ndim = property(lambda self: len(self.dims))
    size = property(lambda self: math.prod(self.shape))
    buffer = property(lambda self: self.storage.buffer)
    name = property(lambda self: self.storage.name)
    strides = property(lambda self: tuple(stride for stride, _ in self.dims))
    itemsize = property(lambda self: dtypes.size(self.dtype))

    def __repr__(self):
        return f"NkiTensor({self.storage.name}, shape={self.shape}, dtype={self.dtype}, " \
               f"buffer={self.buffer})"

    def __getitem__(self, key):
        if not isinstance(key, tuple):
            key = (key,)
        if any(isinstance(k, IndexExpr) for k in key):
            return _index_view(self, key)
        check_bounds(self)
        if Ellipsis in key:
            at = key.index(Ellipsis)
            key = key[:at] + (slice(None),) * (len(self.dims) - len(key) + 1) + key[at + 1:]
        if len(key) > len(self.dims):
            raise NkiError(f"too many indices ({len(key)}) for a tensor of shape {self.shape}")
        offset, dims, dropped = self.offset, [], []
        for axis, (stride, size) in enumerate(self.dims):
            k = key[axis] if axis < len(key) else _ALL
            if k.__class__ is slice:
                if k == _ALL:
                    dims.append((stride, size))
                    continue
                start, stop, step = _slice_bounds(k, size, axis, self.shape)
                offset += start * stride
                dims.append((stride * step, max(0, -(-(stop - start) // step))))
            elif isinstance(k, (list, tuple)) or hasattr(k, "storage"):
                raise NkiError("indexing with a list or a tensor is not supported from NKI 0.2 "
                               "on; use .ap(...) with a dynamic offset")
            else:
                k = int(k)
                if not 0 <= k < size:
                    raise NkiError(f"index {k} out of range of tensor dimension {axis} "
                                   f"(size {size}) of shape {self.shape}")
                offset += k * stride
                dims.append((stride, 1))
                dropped.append(axis)
        # HBM drops integer-indexed dims as numpy; on chip the partition dim stays (size 1) and a
        # free dim goes unless fewer than 2 dims would remain (NKI 0.5+, §2.7).
        on_chip, blocks = self.storage.on_chip, self.blocks
        for axis in reversed(dropped):
            if not on_chip or axis < self.blocks:
                del dims[axis]
                blocks -= axis < self.blocks
            elif axis > self.blocks and len(dims) - blocks > 2:
                del dims[axis]
        return NkiTensor(self.storage, offset, dims, self.dtype, blocks=blocks)

    def ap(self, pattern, offset=0, scalar_offset=None, vector_offset=None, indirect_dim=0,
           dtype=None):
        if scalar_offset is not None or vector_offset is not None:
            raise unsupported(".ap(scalar_offset=/vector_offset=) (dynamic access patterns)")
        dims = [(int(step), int(num)) for step, num in pattern]
        return NkiTensor(self.storage, int(offset or 0), dims, dtype or self.dtype)

    def reshape(self, shape=None, new_shape=None):
        shape = tuple(int(s) for s in (shape if shape is not None else new_shape))
        if math.prod(shape) != self.size:
            raise NkiError(f"reshape from {self.shape} to {shape} changes the element count")
        if not self.is_contiguous():
            raise NkiError(f"reshape of a non-contiguous view of shape {self.shape}")
        if self.storage.on_chip and shape[0] != self.shape[0]:
            raise NkiError(f"reshape of an on-chip tensor must keep the partition size "
                           f"{self.shape[0]}, found {shape[0]}")
        view = NkiTensor.whole(Storage(0, "", shape, self.dtype, "hbm", None))
        return NkiTensor(self.storage, self.offset, view.dims, self.dtype)

    def is_contiguous(self):
        stride = 1
        for s, n in reversed(self.dims):
            if n != 1 and s != stride:
                return False
            stride *= n
        return True

    def get_pattern(self):
        return [[s, n] for s, n in self.dims]

    # Beta 1: tiles as values (docs/nki-beta1.md) -------------------------------------------------
    def __setitem__(self, key, value):
        from . import lowering
        lowering.assign(self[key], value)

    def __bool__(self):
        raise NkiError("err_ambiguous_tensor_truth_value: the truth value of a tile is "
                       "ambiguous (Python control flow cannot depend on tile values)")

    def broadcast_to(self, shape):
        from . import lowering
        return lowering.broadcast_to(self, shape)

    def astype(self, dtype):
        from . import lowering
        return lowering.copy(self, dtype=dtype)


def _binary(name, reverse=False):
    def operator(self, other):
        from . import lowering
        x, y = (other, self) if reverse else (self, other)
        return lowering.binary(TOKENS[name], x, y, promote=True)
    return operator


def _update(name):
    def operator(self, other):
        from . import lowering
        return lowering.update(self, TOKENS[name], other)
    return operator


for _name, _dunder in (("add", "add"), ("subtract", "sub"), ("multiply", "mul"),
                       ("divide", "truediv"), ("power", "pow"), ("logical_and", "and"),
                       ("logical_or", "or"), ("logical_xor", "xor")):
    setattr(NkiTensor, f"__{_dunder}__", _binary(_name))
    setattr(NkiTensor, f"__r{_dunder}__", _binary(_name, reverse=True))
    setattr(NkiTensor, f"__i{_dunder}__", _update(_name))
for _name, _dunder in (("less", "lt"), ("less_equal", "le"), ("greater", "gt"),
                       ("greater_equal", "ge")):
    setattr(NkiTensor, f"__{_dunder}__", _binary(_name))
NkiTensor.__neg__ = lambda self: _binary("multiply")(self, -1.0)
NkiTensor.__invert__ = lambda self: _binary("equal")(self, 0)


def _index_view(view, key):
    """view[e0, e1, ...] with nl.arange / nl.mgrid expressions (ints are constants): a view whose
    dims are the index grid's axes (stride of axis a = sum over k of coeff_k[a] * stride_k)."""
    check_bounds(view)
    if any(k is Ellipsis or isinstance(k, slice) for k in key):
        raise NkiError("err_unsupported_mixing_basic_advanced_tensor_indexing: slices and "
                       "nl.arange indices cannot be mixed in one subscript")
    if len(key) != len(view.dims):
        raise NkiError(f"{len(key)} index expressions for a tensor of shape {view.shape}: give "
                       f"one per dimension")
    exprs = []
    for k in key:
        if isinstance(k, IndexExpr):
            exprs.append(k)
        elif hasattr(k, "storage"):
            raise unsupported("indexing with a tile (indirect DMA gather/scatter)")
        else:
            exprs.append(IndexExpr(int(k), {}, {}))
    sizes = {}
    for e in exprs:
        for a, n in e.sizes.items():
            if a is None:
                raise NkiError("err_1d_arange_not_supported: lift nl.arange with [:, None] "
                               "(partition) or [None, :] (free) before indexing with it")
            if sizes.setdefault(a, n) != n:
                raise NkiError(f"index expressions of sizes {sizes[a]} and {n} on grid axis {a}")
    for k in range(view.blocks):
        if exprs[k].coeffs:
            raise NkiError("err_failed_to_infer_tile_from_local_tensor: a block dim (before "
                           "nl.par_dim) takes an integer index")
    rank = max(sizes, default=0) + 1
    rank = max(rank, 2) if view.storage.on_chip else rank
    strides = [s for s, _ in view.dims]
    dims = [(sum(e.coeffs.get(a, 0) * st for e, st in zip(exprs, strides)), sizes.get(a, 1))
            for a in range(rank)]
    offset = view.offset + sum(e.const * st for e, st in zip(exprs, strides))
    subscripts = tuple((n, e.const, tuple(e.coeffs.get(a, 0) for a in range(rank)))
                       for e, (_, n) in zip(exprs, view.dims))
    return NkiTensor(view.storage, offset, dims, view.dtype, subscripts)


def clip(view, box):
    """The part of `view` a mask's box keeps: each view dim a of the box's full size is cut to
    [lo, hi) (dims of another size, e.g. a [P, 1] column, are broadcast and stay)."""
    if not box or not isinstance(view, NkiTensor):
        return view
    offset, dims = view.offset, list(view.dims)
    subs = [list(s) for s in view.subscripts] if view.subscripts else None
    for a, (lo, hi, size) in box.items():
        if a < len(dims) and dims[a][1] == size and (lo, hi) != (0, size):
            stride = dims[a][0]
            offset += lo * stride
            dims[a] = (stride, hi - lo)
            for s in subs or ():
                s[1] += s[2][a] * lo if a < len(s[2]) else 0
    return NkiTensor(view.storage, offset, dims, view.dtype,
                     tuple(tuple(s) for s in subs) if subs else None, view.blocks)


def check_bounds(view):
    """err_tensor_access_out_of_bound for a view whose nl.arange subscripts leave the tensor."""
    for k, (n, const, coeffs) in enumerate(view.subscripts or ()):
        lo = hi = const
        for (_, size), c in zip(view.dims, coeffs):
            lo, hi = lo + min(0, c * (size - 1)), hi + max(0, c * (size - 1))
        if lo < 0 or hi >= n:
            raise NkiError(f"err_tensor_access_out_of_bound: index {lo}..{hi} of dimension {k} "
                           f"(size {n}) of {view.storage.name} {view.storage.shape} (cut it "
                           f"with mask=)")


def _slice_bounds(k, size, axis, shape):
    step = 1 if k.step is None else int(k.step)
    if step < 1:
        raise NkiError(f"slice step {step} on dimension {axis}: expected a step of at least 1")
    start = 0 if k.start is None else int(k.start)
    stop = size if k.stop is None else int(k.stop)
    start += size if start < 0 else 0
    stop += size if stop < 0 else 0
    if not (0 <= start <= stop <= size):
        raise NkiError(f"slice {start}:{stop} out of range of tensor dimension {axis} "
                       f"(size {size}) of shape {shape}")
    return start, stop, step
