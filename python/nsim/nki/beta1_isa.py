"""neuronxcc.nki.isa (NKI Beta 1): each call returns its result as a new tile (SBUF; PSUM for
the Tensor engine's) and takes mask=, then issues the same instruction as nki.isa's dst-first
form (isa.py). Calls that already took a destination in Beta 1 (dma_copy,
tensor_copy_predicated, select_reduce) pass through. docs/nki-beta1.md lists them."""
import numbers

import numpy as np

from . import index
from . import isa as _isa
from .errors import NkiError, unsupported, stub_module_getattr
from .index import IndexExpr, Predicate
from .isa import (dge_mode, engine, get_nc_version, nc_version, oob_mode,  # noqa: F401
                  reduce_cmd)
from .lowering import _first_axis, promoted
from .lowering_moves import masked_matmul, new_tile
from .tensor import clip

_ReduceCmd = reduce_cmd


def _run(mask, instruction, **operands):
    """instruction(**operands) with every tile operand cut to the mask's box (none if empty)."""
    box = index.region(mask)
    if box is not index.EMPTY:
        instruction(**{k: clip(v, box) for k, v in operands.items()})


def nc_matmul(stationary, moving, *, is_stationary_onezero=False, is_moving_onezero=False,
              is_transpose=False, tile_position=(), tile_size=(), mask=None, **kwargs):
    """stationary [K, M], moving [K, N] -> a new fp32 PSUM tile [M, N] (`psum += ...` joins it
    to psum's accumulation group, lowering.update); a mask cuts M and N (lowering_moves)."""
    if is_transpose or tile_position or tile_size:
        raise unsupported("nisa.nc_matmul with is_transpose/tile_position/tile_size")
    return masked_matmul(stationary, moving, mask)


def nc_transpose(data, *, mask=None, dtype=None, engine=engine.unknown, **kwargs):
    """data [P, F] -> [F, P]: the Vector engine within 32x32 (SBUF result), else the Tensor
    engine (PSUM result), as NKI picks."""
    if mask is not None:
        raise unsupported("nisa.nc_transpose(mask=...)")
    small = data.shape[0] <= 32 and data.size // data.shape[0] <= 32
    e = _isa.engine(engine) if engine else (_isa.engine.vector if small else _isa.engine.tensor)
    out = new_tile((data.size // data.shape[0], data.shape[0]), dtype or data.dtype,
                   "sbuf" if e == _isa.engine.vector else "psum")
    _isa.nc_transpose(out, data, engine=e)
    return out


def activation(op, data, *, bias=None, scale=1.0, reduce_op=None, reduce_res=None,
               reduce_cmd=reduce_cmd.idle, mask=None, dtype=None, **kwargs):
    """op(data * scale + bias). A number as bias becomes a [P, 1] fp32 tile (memset): the
    bias operand is a per-partition tile (an immediate only from NeuronCore-v3)."""
    bias = _bias_tile(bias, data)
    out = new_tile(data.shape, dtype or data.dtype)
    _run(mask, _isa.activation, dst=out, op=op, data=data, bias=bias, scale=scale,
         reduce_op=reduce_op, reduce_res=reduce_res, reduce_cmd=reduce_cmd)
    return out


def _bias_tile(bias, data):
    """A number as bias becomes a [P, 1] fp32 tile (memset)."""
    if not isinstance(bias, numbers.Number):
        return bias
    tile = new_tile((data.shape[0], 1), "float32")
    _isa.memset(tile, bias)
    return tile


def _unmasked(mask, api):
    """Calls whose operands differ in shape (a [P, 1] reduce_res, [P, 8] results) take no mask:
    one box cannot cut them all."""
    if mask is not None:
        raise unsupported(f"{api}(mask=...)")


def activation_reduce(op, data, *, reduce_op, reduce_res, bias=None, scale=1.0, mask=None,
                      dtype=None, **kwargs):
    _unmasked(mask, "nisa.activation_reduce")
    out = new_tile(data.shape, dtype or data.dtype)
    _isa.activation_reduce(out, op, data, reduce_op, reduce_res, bias=_bias_tile(bias, data),
                           scale=scale)
    return out


def tensor_scalar_reduce(*, data, op0, operand0, reduce_op, reduce_res, reverse0=False,
                         dtype=None, mask=None, **kwargs):
    _unmasked(mask, "nisa.tensor_scalar_reduce")
    out = new_tile(data.shape, dtype or data.dtype)
    _isa.tensor_scalar_reduce(out, data, op0, operand0, reduce_op, reduce_res, reverse0=reverse0)
    return out


def tensor_partition_reduce(op, data, *, mask=None, dtype=None, **kwargs):
    """The partitions of data folded with op into one partition: a [1, F...] tile."""
    _unmasked(mask, "nisa.tensor_partition_reduce")
    out = new_tile((1,) + tuple(data.shape[1:]), dtype or data.dtype)
    _isa.tensor_partition_reduce(out, op, data)
    return out


def dropout(data, prob, *, mask=None, dtype=None, **kwargs):
    out = new_tile(data.shape, dtype or data.dtype)
    _run(mask, _isa.dropout, dst=out, data=data, prob=prob)
    return out


def range_select(*, on_true_tile, comp_op0, comp_op1, bound0, bound1,
                 reduce_cmd=reduce_cmd.idle, reduce_res=None, reduce_op=None, range_start=0,
                 on_false_value=_isa.FP32_MIN, mask=None, dtype=None, **kwargs):
    """Beta 1's default reduce_op is np.amax, the maximum nki.isa's form takes."""
    _unmasked(mask, "nisa.range_select")
    out = new_tile(on_true_tile.shape, dtype or on_true_tile.dtype)
    _isa.range_select(out, on_true_tile, comp_op0, comp_op1, bound0, bound1,
                      reduce_cmd=reduce_cmd, reduce_res=reduce_res,
                      reduce_op=None if reduce_op is np.amax else reduce_op,
                      range_start=range_start, on_false_value=on_false_value)
    return out


def max8(*, src, mask=None, dtype=None, **kwargs):
    _unmasked(mask, "nisa.max8")
    out = new_tile((src.shape[0], 8), dtype or src.dtype)
    _isa.max8(out, src)
    return out


def nc_find_index8(*, data, vals, mask=None, dtype=None, **kwargs):
    _unmasked(mask, "nisa.nc_find_index8")
    out = new_tile((data.shape[0], 8), dtype or "uint32")
    _isa.nc_find_index8(out, data, vals)
    return out


def nc_match_replace8(*, data, vals, imm, dst_idx=None, mask=None, dtype=None, **kwargs):
    _unmasked(mask, "nisa.nc_match_replace8")
    out = new_tile(data.shape, dtype or data.dtype)
    _isa.nc_match_replace8(out, data, vals, imm, dst_idx=dst_idx)
    return out


def nc_stream_shuffle(src, dst, shuffle_mask, *, dtype=None, mask=None, **kwargs):
    _unmasked(mask, "nisa.nc_stream_shuffle")
    _isa.nc_stream_shuffle(dst, src, shuffle_mask)


def dma_transpose(src, *, axes=None, mask=None, dtype=None, **kwargs):
    """src with its dims permuted (NKI's default axes by rank), as a new SBUF tile."""
    _unmasked(mask, "nisa.dma_transpose")
    order = tuple(axes) if axes is not None else _isa._TRANSPOSE_AXES.get(len(src.shape))
    if order is None:
        raise unsupported(f"nisa.dma_transpose of a {len(src.shape)}-D tensor")
    out = new_tile(tuple(src.shape[a] for a in order), dtype or src.dtype)
    _isa.dma_transpose(out, src, axes=axes)
    return out


def tensor_tensor(data1, data2, op, *, dtype=None, mask=None, engine=engine.unknown, **kwargs):
    out = new_tile(data1.shape, dtype or promoted(data1, data2))
    _run(mask, _isa.tensor_tensor, dst=out, data1=data1, data2=data2, op=op, engine=engine)
    return out


def tensor_scalar(data, op0, operand0, reverse0=False, op1=None, operand1=None, reverse1=False,
                  *, dtype=None, mask=None, engine=engine.unknown, **kwargs):
    out = new_tile(data.shape, dtype or data.dtype)
    _run(mask, _isa.tensor_scalar, dst=out, data=data, op0=op0, operand0=operand0,
         reverse0=reverse0, op1=op1, operand1=operand1, reverse1=reverse1, engine=engine)
    return out


def scalar_tensor_tensor(*, data, op0, operand0, op1, operand1, reverse0=False, reverse1=False,
                         dtype=None, mask=None, **kwargs):
    out = new_tile(data.shape, dtype or promoted(data, operand1))
    _run(mask, _isa.scalar_tensor_tensor, dst=out, data=data, op0=op0, operand0=operand0,
         op1=op1, operand1=operand1, reverse0=reverse0, reverse1=reverse1)
    return out


def tensor_tensor_scan(data0, data1, initial, op0, op1, reverse0=False, reverse1=False, *,
                       dtype=None, mask=None, **kwargs):
    out = new_tile(data0.shape, dtype or promoted(data0, data1))
    _run(mask, _isa.tensor_tensor_scan, dst=out, data0=data0, data1=data1, initial=initial,
         op0=op0, op1=op1, reverse0=reverse0, reverse1=reverse1)
    return out


def tensor_reduce(op, data, axis, *, mask=None, dtype=None, negate=False, keepdims=False,
                  **kwargs):
    first = _first_axis(data, axis, "nisa.tensor_reduce")
    shape = data.shape[:first] + ((1,) * (data.ndim - first) if keepdims else ())
    out = new_tile(shape if len(shape) >= 2 else shape + (1,), dtype or data.dtype)
    _run(mask, _isa.tensor_reduce, dst=out, op=op, data=data, axis=axis, negate=negate)
    return out


def tensor_copy(src, *, mask=None, dtype=None, engine=engine.unknown, **kwargs):
    out = new_tile(src.shape, dtype or src.dtype)
    _run(mask, _isa.tensor_copy, dst=out, src=src, engine=engine)
    return out


def reciprocal(data, *, dtype=None, mask=None, **kwargs):
    out = new_tile(data.shape, dtype or data.dtype)
    _run(mask, _isa.reciprocal, dst=out, data=data)
    return out


def memset(shape, value, dtype, *, mask=None, engine=engine.unknown, **kwargs):
    out = new_tile(shape, dtype)
    _run(mask, _isa.memset, dst=out, value=value, engine=engine)
    return out


def bn_stats(data, *, mask=None, dtype=None, **kwargs):
    """The 6 statistics of each partition's values (mean, variance and count pairs)."""
    out = new_tile((data.shape[0], 6), dtype or data.dtype)
    _run(mask, _isa.bn_stats, dst=out, data=data)
    return out


def bn_aggr(data, *, mask=None, dtype=None, **kwargs):
    """bn_stats results combined: [P, 2] = mean, variance."""
    out = new_tile((data.shape[0], 2), dtype or data.dtype)
    _run(mask, _isa.bn_aggr, dst=out, data=data)
    return out


def _grid(expr, api):
    """An index expression's [P, F...] shape, partition multiplier and free pattern."""
    if not isinstance(expr, IndexExpr) or None in expr.sizes:
        raise NkiError(f"{api} takes an nl.arange / nl.mgrid expression lifted to 2-D")
    rank = max(2, expr.rank)
    shape = tuple(expr.sizes.get(a, 1) for a in range(rank))
    pattern = [[expr.coeffs.get(a, 0), shape[a]] for a in range(1, rank)]
    return shape, expr.coeffs.get(0, 0), pattern


def iota(expr, dtype, *, mask=None, **kwargs):
    """A tile holding the values of an affine index expression: one iota (GpSimd)."""
    shape, multiplier, pattern = _grid(expr, "nisa.iota")
    out = new_tile(shape, dtype)
    _run(mask, _isa.iota, dst=out, pattern=pattern, offset=expr.const,
         channel_multiplier=multiplier)
    return out


_CMP = {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
        "eq": "equal", "ne": "not_equal"}


def affine_select(pred, on_true_tile, on_false_value, *, mask=None, dtype=None, **kwargs):
    """on_true_tile where an affine comparison of the indices holds, else on_false_value: one
    affine_select (GpSimd) with the comparison's expression as pattern, multiplier, offset."""
    from .tokens import TOKENS
    if not isinstance(pred, Predicate) or len(pred.terms) != 1:
        raise NkiError("nisa.affine_select: pred is one comparison of nl.arange / nl.mgrid "
                       "expressions")
    expr, op = pred.terms[0]
    _, multiplier, pattern = _grid(expr, "nisa.affine_select")
    pattern = [[step, n] for (step, _), n in zip(pattern, on_true_tile.shape[1:])]
    out = new_tile(on_true_tile.shape, dtype or on_true_tile.dtype)
    _run(mask, _isa.affine_select, dst=out, pattern=pattern, channel_multiplier=multiplier,
         on_true_tile=on_true_tile, on_false_value=on_false_value, cmp_op=TOKENS[_CMP[op]],
         offset=expr.const)
    return out


def dma_copy(*, dst, src, mask=None, dst_rmw_op=None, oob_mode=oob_mode.error,
             dge_mode=dge_mode.unknown, **kwargs):
    _run(mask, _isa.dma_copy, dst=dst, src=src, dst_rmw_op=dst_rmw_op)


def tensor_copy_predicated(*, src, dst, predicate, reverse_pred=False, mask=None, **kwargs):
    _run(mask, _isa.tensor_copy_predicated, dst=dst, src=src, predicate=predicate,
         reverse_pred=reverse_pred)


def select_reduce(*, dst, predicate, on_true, on_false, reduce_res=None,
                  reduce_cmd=reduce_cmd.idle, reduce_op=None, reverse_pred=False, mask=None,
                  **kwargs):
    _run(mask, _isa.select_reduce, dst=dst, predicate=predicate, on_true=on_true,
         on_false=on_false, reduce_res=reduce_res, reduce_cmd=reduce_cmd, reduce_op=reduce_op,
         reverse_pred=reverse_pred)


__getattr__ = stub_module_getattr("nisa")
