"""NKI's high-level nl.* calls that compute (elementwise operators and activations, reductions,
softmax, `t[...] = value`, `t += value`), lowered to ISA instructions into new SBUF tiles. The
rules and their reasons: docs/nki.md "Convenience functions" and docs/nki-beta1.md. Data
movement (load, store, matmul, transpose, broadcast) is in lowering_moves.py."""
import numbers

import numpy as np

from . import index
from . import isa as nisa
from . import language as nl
from . import trace as _trace
from .errors import NkiError, unsupported
from .lowering_moves import (broadcast_to, copy, load, load_transpose2d, matmul,  # noqa: F401
                             new_tile, store, stretch, transpose)
from .tensor import NkiTensor, clip
from .tokens import TOKENS

_COMPARISONS = ("equal", "not_equal", "greater", "greater_equal", "less", "less_equal")
_INTS = ("int32", "uint32")


def masked(mask):
    """The box a mask= keeps (index.region); None when the call is dropped altogether."""
    box = index.region(mask)
    return None if box is index.EMPTY else box


def binary(token, x, y, dtype=None, mask=None, promote=False, **kwargs):
    """x op y. Two tiles: tensor_tensor (numpy broadcasting: a size-1 free dim is a step-0 view,
    a 1-partition tile goes through broadcast_to); a number or a [P, 1] column: tensor_scalar
    (reversed when it comes first). `promote`: Beta 1's dtype rule (NKI type promotion,
    comparisons give bool) instead of the 0.3+ one (x's dtype)."""
    api = f"nl.{token.name}"
    if token.name == "divide":
        return divide(x, y, dtype, mask, promote)
    if token.alu is None:
        raise unsupported(f"{api}(x, y)")
    x_tile, y_tile = isinstance(x, NkiTensor), isinstance(y, NkiTensor)
    if not (x_tile or y_tile):
        raise unsupported(f"{api} of two numbers")
    for v in (x, y):
        if not isinstance(v, (NkiTensor, numbers.Number)):
            raise NkiError(f"{api}: operands are tiles or numbers, found {type(v).__name__}")
    if dtype is None:
        dtype = ("bool_" if token.name in _COMPARISONS else promoted(x, y)) if promote else \
            (x if x_tile else y).dtype
    shape = _broadcast_shape(x, y, api)
    box = masked(mask)
    out = new_tile(shape, dtype)
    if box is None:
        return out
    column = _scalar_side(x, y, shape)
    if column is not None:
        data, operand, reverse = (x, y, False) if column == 1 else (y, x, True)
        nisa.tensor_scalar(dst=clip(out, box), data=clip(data, box), op0=token,
                           operand0=clip(operand, box), reverse0=reverse)
        return out
    x, y = _expand(x, shape), _expand(y, shape)
    if x.buffer == y.buffer == "psum":  # tensor_tensor reads at most one input from PSUM
        y = copy(y)
    engine = nisa.engine.gpsimd if x.dtype in _INTS and y.dtype in _INTS and \
        x.buffer == y.buffer == "sbuf" else nisa.engine.unknown
    nisa.tensor_tensor(dst=clip(out, box), data1=clip(x, box), data2=clip(y, box), op=token,
                       engine=engine)
    return out


def divide(x, y, dtype=None, mask=None, promote=False):
    """x / y: NKI has no divide ALU operator; by a number it is a multiply by its fp32
    reciprocal, by a tile a Vector reciprocal (the precise one) then a multiply."""
    if isinstance(y, numbers.Number):
        inv = float(np.float32(1) / np.float32(y))
        return binary(TOKENS["multiply"], x, inv, dtype, mask, promote)
    if not isinstance(y, NkiTensor):
        raise NkiError(f"nl.divide: operands are tiles or numbers, found {type(y).__name__}")
    box = masked(mask)
    inv = new_tile(y.shape, "float32")
    if box is not None:
        nisa.reciprocal(dst=clip(inv, box), data=clip(y, box))
    if promote and dtype is None:
        dtype = promoted(x, y)
    return binary(TOKENS["multiply"], x, inv, dtype or getattr(x, "dtype", y.dtype), mask)


def unary(token, x, dtype=None, mask=None, **kwargs):
    """op(x): an activation function is one activation instruction (Scalar engine); nl.copy a
    tensor_copy (exact); an ALU-only unary operator a tensor_scalar."""
    if not isinstance(x, NkiTensor):
        raise unsupported(f"nl.{token.name} of {type(x).__name__}")
    if token.name == "copy":
        return copy(x, dtype, mask)
    box = masked(mask)
    out = new_tile(x.shape, dtype or x.dtype)
    if box is None:
        return out
    if token.act is not None:
        nisa.activation(dst=clip(out, box), op=token, data=clip(x, box))
    elif token.name in ("logical_not", "bitwise_not", "invert"):
        nisa.tensor_scalar(dst=clip(out, box), data=clip(x, box), op0=token, operand0=0.0)
    else:
        raise unsupported(f"nl.{token.name}(x)")
    return out


def negative(x, dtype=None, mask=None):
    return binary(TOKENS["multiply"], x, -1.0, dtype, mask)


def reduce(token, x, axis, dtype=None, keepdims=False, mask=None, **kwargs):
    """A reduction over free axes: one tensor_reduce over the trailing ones. Free axes that are
    not trailing (the average pool's window axes [2, 4]) are moved last in the view first, a
    reordering of its strides, no copy. The result keeps the other dims in order (on chip at
    least [P, 1]; keepdims=True keeps the reduced ones at size 1, only for trailing axes)."""
    if not isinstance(x, NkiTensor):
        raise unsupported(f"nl.{token.name} of {type(x).__name__}")
    if not keepdims and mask is None:
        x = _reduced_axes_last(x, axis, f"nl.{token.name}")
        axis = list(range(x.ndim - _axis_count(x, axis), x.ndim))
    first = _first_axis(x, axis, f"nl.{token.name}")
    shape = x.shape[:first] + ((1,) * (x.ndim - first) if keepdims else ())
    box = masked(mask)
    out = new_tile(shape if len(shape) >= 2 else shape + (1,), dtype or x.dtype)
    if box is not None:
        nisa.tensor_reduce(dst=clip(out, box), op=token, data=clip(x, box),
                           axis=list(range(first, x.ndim)))
    return out


def mean(x, axis, dtype=None, keepdims=False, mask=None, **kwargs):
    """nl.mean: the sum (tensor_reduce, fp32) times 1/n (tensor_scalar), n the reduced count."""
    total = reduce(TOKENS["add"], x, axis, "float32", keepdims, mask)
    n = int(np.prod([x.shape[k] for k in _axis_list(x, axis)]))
    return binary(TOKENS["multiply"], total, 1.0 / n, dtype or x.dtype, mask)


def softmax(x, axis=-1, dtype=None, compute_dtype=None, mask=None, **kwargs):
    """Softmax over the trailing free axes as NKI kernels write it: the negated row maximum
    (tensor_reduce), exp(x - max) with the row sums (one activation with bias and reduce_res),
    their reciprocal (Vector), one multiply (tensor_scalar)."""
    first = _first_axis(x, axis, "nl.softmax")
    if first != x.ndim - 1:
        raise unsupported("nl.softmax over more than the last axis")
    box = masked(mask)
    e = new_tile(x.shape, "float32")
    neg_max, sums, inv = (new_tile((x.shape[0], 1), "float32") for _ in range(3))
    out = new_tile(x.shape, dtype or x.dtype)
    if box is None:
        return out
    nisa.tensor_reduce(dst=clip(neg_max, box), op=TOKENS["maximum"], data=clip(x, box),
                       axis=first, negate=True)
    nisa.activation(dst=clip(e, box), op=TOKENS["exp"], data=clip(x, box), bias=clip(neg_max, box),
                    reduce_op=TOKENS["add"], reduce_res=clip(sums, box),
                    reduce_cmd=nisa.reduce_cmd.reset_reduce)
    nisa.reciprocal(dst=clip(inv, box), data=clip(sums, box))
    nisa.tensor_scalar(dst=clip(out, box), data=clip(e, box), op0=TOKENS["multiply"],
                       operand0=clip(inv, box))
    return out


def var(x, axis, dtype=None, mask=None, **kwargs):
    """The population variance over the free dims of a 2-D tile: bn_stats per chunk of at most
    nl.tile_size.bn_stats_fmax elements, bn_aggr, the variance column (the Vector engine's
    statistics, as NKI's layernorm kernels compute it)."""
    if _first_axis(x, axis, "nl.var") != 1 or x.ndim != 2:
        raise unsupported("nl.var of a tile that is not 2-D")
    box = masked(mask)
    chunk = nl.tile_size.bn_stats_fmax
    chunks = -(-x.shape[1] // chunk)
    stats = new_tile((x.shape[0], 6 * chunks), "float32")
    mean_var = new_tile((x.shape[0], 2), "float32")
    if box is not None:
        for c in range(chunks):
            part = x[:, c * chunk:min(x.shape[1], (c + 1) * chunk)]
            nisa.bn_stats(dst=clip(stats[:, 6 * c:6 * c + 6], box), data=clip(part, box))
        nisa.bn_aggr(dst=clip(mean_var, box), data=clip(stats, box))
    return copy(mean_var[:, 1:2], dtype or x.dtype, mask)


def rms_norm(x, w, axis, n, epsilon=1e-6, dtype=None, compute_dtype=None, mask=None, **kwargs):
    """x / sqrt(sum(x^2) / n + epsilon) * w over the last axis: one activation (square, with the
    row sums), a tensor_scalar (/ n + epsilon), an activation (rsqrt), then the two multiplies
    of the rules above (w broadcast as NumPy would)."""
    if _first_axis(x, axis, "nl.rms_norm") != x.ndim - 1:
        raise unsupported("nl.rms_norm over more than the last axis")
    box = masked(mask)
    squares = new_tile(x.shape, "float32")
    sums = new_tile((x.shape[0], 1), "float32")
    if box is not None:
        nisa.activation(dst=clip(squares, box), op=TOKENS["square"], data=clip(x, box),
                        reduce_op=TOKENS["add"], reduce_res=clip(sums, box),
                        reduce_cmd=nisa.reduce_cmd.reset_reduce)
        nisa.tensor_scalar(dst=clip(sums, box), data=clip(sums, box), op0=TOKENS["multiply"],
                           operand0=1.0 / n, op1=TOKENS["add"], operand1=float(epsilon))
    rstd = unary(TOKENS["rsqrt"], sums, mask=mask)
    return binary(TOKENS["multiply"], binary(TOKENS["multiply"], x, rstd, "float32", mask), w,
                  dtype or x.dtype, mask)


def where(condition, x, y, dtype=None, mask=None, **kwargs):
    """y copied (tensor_copy), then x over it where condition is non-zero
    (tensor_copy_predicated)."""
    box = masked(mask)
    shape = _broadcast_shape(x, y, "nl.where")
    out = new_tile(shape, dtype or promoted(x, y))
    if box is None:
        return out
    if isinstance(y, NkiTensor):
        nisa.tensor_copy(dst=clip(out, box), src=clip(_expand(y, shape), box))
    else:
        nisa.memset(dst=clip(out, box), value=y)
    src = clip(_expand(x, shape), box) if isinstance(x, NkiTensor) else x
    predicate = _expand(condition, shape)
    if predicate.dtype == "bool_":  # a comparison's tile: its bytes read as uint8 predicates
        predicate = NkiTensor(predicate.storage, predicate.offset, predicate.dims, "uint8")
    nisa.tensor_copy_predicated(dst=clip(out, box), src=src, predicate=clip(predicate, box))
    return out


# `t[...] = value` and `t += value` --------------------------------------------------------------
def assign(dst, value):
    """dst[...] = value: the instruction that just made `value` is re-targeted to write dst
    directly (as the Neuron compiler writes into the assigned tile; a matmul overwrites); else
    a copy (tensor_copy, a DMA into HBM, a memset for a number)."""
    if isinstance(value, NkiTensor) and _same_view(value, dst):
        return
    if isinstance(value, numbers.Number):
        nisa.memset(dst=dst, value=value)
        return
    if not isinstance(value, NkiTensor):
        raise NkiError(f"assigning a {type(value).__name__} to a tile: expected a tile or a "
                       f"number")
    if not dst.storage.on_chip:
        store(dst, value)
        return
    if _retarget(value, dst, accumulate=False):
        return
    shape = tuple(max(a, b) for a, b in zip(dst.shape, value.shape))
    if value.ndim != dst.ndim or shape != dst.shape:
        raise NkiError(f"err_store_dst_shape_smaller_than_other_shape: a {value.shape} value "
                       f"into a {dst.shape} tile")
    nisa.tensor_copy(dst=dst, src=_expand(value, dst.shape))


def update(dst, token, value):
    """dst op= value. `psum += nl.matmul(...)` (or nisa.nc_matmul) puts that matmul into dst's
    accumulation group (the first of a group overwrites, NKI's rule); otherwise dst = dst op
    value in place."""
    if token.name == "add" and dst.buffer == "psum" and isinstance(value, NkiTensor) and \
            _only_matmuls_or_zeros(dst.storage) and \
            _retarget(value, dst, accumulate=None, matmul_only=True):
        return dst
    assign(dst, binary(token, dst, value, dst.dtype))
    return dst


def _only_matmuls_or_zeros(storage):
    """Whether every write to storage so far is a matmul or a memset of 0: then a matmul that
    overwrites where no matmul wrote (NKI's accumulation rule) still adds to what is there."""
    return storage not in _trace.current("+=").psum_other_writes


def _retarget(value, dst, accumulate, matmul_only=False):
    """Re-issues the last instruction, which wrote the fresh tile `value` and nothing else used,
    with dst as its destination. False when that does not hold."""
    t = _trace.current("assignment")
    s = value.storage
    if not t.instructions or not t.storages or t.storages[-1] is not s or \
            s.first_use != len(t.instructions) - 1 or value.shape != dst.shape or \
            value.offset != 0 or s.shape != value.shape or dst.buffer != s.buffer:
        return False
    inst = t.instructions[-1]
    written = inst.operands.get("dst")
    if not isinstance(written, NkiTensor) or written.storage is not s or \
            (matmul_only and inst.opcode != "nc_matmul"):
        return False
    target = _same_region(written, value, dst)
    t.instructions.pop()
    t.psum_other_writes.discard(t.storages.pop())
    if inst.opcode == "nc_matmul":
        nisa.nc_matmul(target, inst.operands["stationary"], inst.operands["moving"],
                       accumulate=accumulate)
    else:
        operands = dict(inst.operands, dst=target)
        nisa._emit(inst.opcode, inst.api, inst.engine, **operands)
    return True


def _same_region(written, whole, dst):
    """The part of dst that `written` is of `whole` (a masked instruction wrote a box)."""
    key, rest = [], written.offset
    for (stride, size), (_, w_size) in zip(whole.dims, written.dims):
        start, rest = divmod(rest, stride) if stride else (0, rest)
        key.append(slice(start, start + w_size))
    return dst if written.dims == whole.dims else dst[tuple(key)]


def _same_view(a, b):
    return a.storage is b.storage and a.offset == b.offset and a.dims == b.dims


# Shapes and dtypes ------------------------------------------------------------------------------
def _axis_list(x, axis):
    return sorted({a % x.ndim for a in (axis if isinstance(axis, (list, tuple)) else [axis])})


def _axis_count(x, axis):
    return len(_axis_list(x, axis))


def _reduced_axes_last(x, axis, api):
    """The view of x with the free axes in `axis` moved after the others, each group in order."""
    axes = _axis_list(x, axis)
    if axes[0] == 0:
        raise unsupported(f"{api} over the partition axis")
    kept = [d for k, d in enumerate(x.dims) if k not in axes]
    return NkiTensor(x.storage, x.offset, kept + [x.dims[k] for k in axes], x.dtype)


def _first_axis(x, axis, api):
    axes = _axis_list(x, axis)
    if axes[0] == 0 or axes != list(range(axes[0], x.ndim)):
        raise unsupported(f"{api} over axes {axes} of a {x.ndim}-D tile (NKI reduces trailing "
                          f"free axes)")
    return axes[0]


def _broadcast_shape(x, y, api):
    shapes = [v.shape for v in (x, y) if isinstance(v, NkiTensor)]
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise NkiError(f"err_num_partition_mismatch: {api} of shapes {shapes[0]} and "
                       f"{shapes[1]} (NumPy broadcasting; nl.broadcast_to for partitions)") \
            from None


def _scalar_side(x, y, shape):
    """1 if y is the tensor_scalar operand of x (a number or an [P, 1] column of a full x), 2 if
    x is that of y, else None."""
    for side, (data, operand) in ((1, (x, y)), (2, (y, x))):
        if isinstance(data, NkiTensor) and data.shape == shape and (
                isinstance(operand, numbers.Number) or
                (operand.shape == (shape[0], 1) and len(shape) >= 2)):
            return side
    return None


def _expand(v, shape):
    if v.shape == shape:
        return v
    if v.ndim != len(shape):
        raise NkiError(f"a {v.ndim}-D tile {v.shape} against a {len(shape)}-D shape {shape}")
    if v.shape[0] == 1 and shape[0] > 1:
        v = broadcast_to(v, (shape[0],) + v.shape[1:])
    return stretch(v, shape)


_FLOATS = {"float8_e4m3": 1, "float8_e4m3fn": 1, "float8_e5m2": 1, "bfloat16": 2,
           "float16": 2, "tfloat32": 3, "float32": 4}


def promoted(x, y):
    """Beta 1 type promotion of two operands (NKI's table; numbers count as int32 / float32)."""
    a, b = (v.dtype if isinstance(v, NkiTensor) else
            ("float32" if isinstance(v, float) else "int32") for v in (x, y))
    if a == b:
        return a
    fa, fb = a in _FLOATS, b in _FLOATS
    if fa != fb:
        return a if fa else b
    if fa:
        if _FLOATS[a] != _FLOATS[b]:
            return a if _FLOATS[a] > _FLOATS[b] else b
        return "float32" if _FLOATS[a] == 2 else "bfloat16"
    from .dtypes import size
    sa, sb = size(a), size(b)
    if a.startswith("u") == b.startswith("u"):
        return a if sa >= sb else b
    signed, unsigned = (a, b) if b.startswith("u") else (b, a)
    if size(signed) > size(unsigned):
        return signed
    return {1: "int16", 2: "int32"}.get(size(unsigned), "float32")
