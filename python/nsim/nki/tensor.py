"""NKI tensors: storage (an HBM tensor, or an SBUF/PSUM allocation) and strided views of it.

A view is `offset + sum(stride_k * i_k)` over its dims in elements of the storage, as NKI's
strided-view model (reference nki-language.md §2.6). On-chip storage is (partitions, free...)
with the partition dim first; its partition stride is the per-partition element count."""
import math

from . import dtypes
from .errors import NkiError, unsupported

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
    """A view: storage, element offset, dims [(stride, size), ...] outermost first."""

    __slots__ = ("storage", "offset", "dims", "dtype")

    def __init__(self, storage, offset, dims, dtype=None):
        self.storage, self.offset, self.dims = storage, offset, dims
        self.dtype = storage.dtype if dtype is None or dtype == storage.dtype else \
            dtypes.canonical(dtype)

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
        on_chip = self.storage.on_chip
        for axis in reversed(dropped):
            if not on_chip:
                del dims[axis]
            elif axis > 0 and len(dims) > 2:
                del dims[axis]
        return NkiTensor(self.storage, offset, dims, self.dtype)

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
