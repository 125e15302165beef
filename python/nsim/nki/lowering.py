"""NKI's convenience functions that return new tiles (nl.load, nl.store, elementwise operators
and activations called as functions, reductions), lowered to one ISA instruction each into a new
SBUF tile. The rules and their reasons: docs/nki.md "Convenience functions"."""
import numbers

from . import isa as nisa
from . import language as nl
from .errors import NkiError, unsupported
from .tensor import NkiTensor


def _new_tile(shape, dtype):
    return nl.ndarray(tuple(shape), dtype, buffer=nl.sbuf)


def load(src, dtype=None, mask=None, **kwargs):
    """A new SBUF tile holding src (an HBM view whose first dim becomes the partitions)."""
    if not isinstance(src, NkiTensor) or src.storage.on_chip:
        raise NkiError(f"nl.load: expected operand 'src' in hbm, found "
                       f"{getattr(src, 'buffer', type(src).__name__)}")
    shape = src.shape if len(src.shape) > 1 else (src.shape[0], 1)
    tile = _new_tile(shape, dtype or src.dtype)
    nisa.dma_copy(dst=tile, src=src)
    return tile


def store(dst, value, mask=None, **kwargs):
    nisa.dma_copy(dst=dst, src=value)


def binary(token, x, y, dtype=None):
    """x op y: tensor_tensor for two tiles; tensor_scalar for a tile and a number or a [P, 1]
    tile (the scalar operand, reversed when it comes first)."""
    api = f"nl.{token.name}"
    if token.alu is None:
        raise unsupported(f"{api}(x, y)")
    x_tile, y_tile = isinstance(x, NkiTensor), isinstance(y, NkiTensor)
    if x_tile and y_tile and x.shape == y.shape:
        out = _new_tile(x.shape, dtype or x.dtype)
        nisa.tensor_tensor(dst=out, data1=x, data2=y, op=token)
        return out
    if x_tile and (isinstance(y, numbers.Number) or (y_tile and _is_column(y, x))):
        data, operand, reverse = x, y, False
    elif y_tile and (isinstance(x, numbers.Number) or (x_tile and _is_column(x, y))):
        data, operand, reverse = y, x, True
    else:
        raise unsupported(f"{api} of shapes {getattr(x, 'shape', x)} and "
                          f"{getattr(y, 'shape', y)} (broadcasting beyond a [P, 1] column)")
    out = _new_tile(data.shape, dtype or data.dtype)
    nisa.tensor_scalar(dst=out, data=data, op0=token, operand0=operand, reverse0=reverse)
    return out


def unary(token, x, dtype=None):
    """op(x) for an activation function: one activation instruction."""
    if token.act is None or not isinstance(x, NkiTensor):
        raise unsupported(f"nl.{token.name}(x)")
    out = _new_tile(x.shape, dtype or x.dtype)
    nisa.activation(dst=out, op=token, data=x)
    return out


def reduce(token, x, axis, dtype=None, keepdims=False, **kwargs):
    """A reduction over trailing free axes: one tensor_reduce into a [P, 1] tile (NKI keeps the
    partition dim; keepdims=False still leaves a [P, 1] on-chip tile, on-chip tiles being 2-D)."""
    if not isinstance(x, NkiTensor):
        raise unsupported(f"nl.{token.name} of {type(x).__name__}")
    out = _new_tile((x.shape[0], 1), dtype or x.dtype)
    nisa.tensor_reduce(dst=out, op=token, data=x, axis=axis)
    return out


def matmul(x, y, transpose_x=False, **kwargs):
    """x^T @ y for x [K, M] and y [K, N] in SBUF: one nc_matmul into a new fp32 PSUM tile
    [M, N] (NKI's nl.matmul with transpose_x=True; without it x would first need a transpose,
    which is not one instruction)."""
    if not transpose_x:
        raise unsupported("nl.matmul(x, y) without transpose_x=True (give x as [K, M])")
    out = nl.ndarray((x.shape[1], y.shape[1]), nl.float32, buffer=nl.psum)
    nisa.nc_matmul(out, x, y)
    return out


def _is_column(column, tile):
    return column.shape == (tile.shape[0], 1)
