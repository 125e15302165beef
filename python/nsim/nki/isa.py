"""nki.isa on nsim: each call checks what NKI checks at trace time and records one nsim
instruction (same name and operands, docs/kernel-format.md) at the kernel's line."""
import enum

import numpy as np

from . import dtypes, tokens
from . import trace as _trace
from .errors import NkiError, unsupported, stub_module_getattr
from .tensor import NkiTensor


class engine(enum.IntEnum):  # noqa: N801 (NKI's names)
    unknown = 0
    tensor = 1
    scalar = 2
    gpsimd = 3
    dma = 4
    vector = 5
    sync = 6


class reduce_cmd(enum.IntEnum):  # noqa: N801
    idle = 0
    reset = 1
    reduce = 2
    reset_reduce = 3
    load_reduce = 4


_ReduceCmd = reduce_cmd  # the enum, where a parameter of that name hides it


class dge_mode(enum.IntEnum):  # noqa: N801
    unknown = 0
    swdge = 1
    hwdge = 2
    none = 3


class oob_mode(enum.IntEnum):  # noqa: N801
    error = 0
    skip = 1


class nc_version(enum.IntEnum):  # noqa: N801
    gen2 = 2
    gen3 = 3
    gen4 = 4


tensor_engine, scalar_engine, gpsimd_engine = engine.tensor, engine.scalar, engine.gpsimd
vector_engine, unknown_engine = engine.vector, engine.unknown
NkiValidationError = NkiError


def get_nc_version():
    gen = _trace.current("nisa.get_nc_version").chip["generation"]
    return nc_version(int(gen[1:]))


def _engine(e, allowed, api):
    if e is None or e == engine.unknown:
        return None
    e = engine(e)
    if e.name not in allowed:
        raise NkiError(f"{api}: engine={e.name}, expected one of {', '.join(allowed)}")
    return e.name


def _tensor(x, what, api, buffers=("sbuf", "psum")):
    if not isinstance(x, NkiTensor):
        raise NkiError(f"{api}: {what} must be a tensor, found {type(x).__name__}")
    if x.buffer not in buffers and not (x.buffer.endswith("hbm") and "hbm" in buffers):
        raise NkiError(f"{api}: expected operand '{what}' in {' or '.join(buffers)}, "
                       f"but got a tensor in '{x.buffer}'")
    return x


def _scalar_or_tensor(x, what, api):
    if isinstance(x, NkiTensor):
        return _tensor(x, what, api)
    if isinstance(x, (int, float, np.number)):
        return float(x)
    raise NkiError(f"{api}: {what} must be a number or a [P, 1] tensor, found {type(x).__name__}")


def _no_mask(kwargs, api):
    if kwargs.get("mask") is not None:
        raise NkiError(f"{api}: the mask parameter is not supported (NKI 0.2+)")


def _record_psum_write(dst, by_matmul):
    """Tracks which PSUM elements a matmul wrote last (the accumulate=None policy, §4.3) and
    returns (all, any) of them before this write. A whole-tensor write keeps one flag."""
    s = dst.storage
    if s.buffer != "psum":
        return None
    flags = s.matmul_written
    if dst.offset == 0 and dst.size == s.size and dst.is_contiguous():
        before = (flags, flags) if isinstance(flags, bool) else (flags.all(), flags.any())
        s.matmul_written = by_matmul
        return before
    if isinstance(flags, bool):
        flags = s.matmul_written = np.full(s.size, flags)
    idx = _indices(dst)
    before = (flags[idx].all(), flags[idx].any())
    flags[idx] = by_matmul
    return before


_INDEX_CACHE = {}


def _indices(view):
    key = (view.offset, tuple(view.dims))
    idx = _INDEX_CACHE.get(key)
    if idx is None:
        idx = np.array(view.offset)
        for stride, size in view.dims:
            idx = idx[..., None] + stride * np.arange(size)
        idx = idx.ravel()
        if len(_INDEX_CACHE) > 4096:
            _INDEX_CACHE.clear()
        _INDEX_CACHE[key] = idx
    return idx


def _emit(opcode, api, engine_name=None, **operands):
    t = _trace.current(api)
    dst = operands.get("dst")
    if isinstance(dst, NkiTensor) and opcode != "nc_matmul":
        _record_psum_write(dst, False)
    t.emit(opcode, api, engine_name, **{k: v for k, v in operands.items() if v is not None})


# Tensor engine ---------------------------------------------------------------------------------
def nc_matmul(dst, stationary, moving, is_stationary_onezero=False, is_moving_onezero=False,
              is_transpose=False, accumulate=None, tile_position=(), tile_size=(),
              perf_mode=None, name=None, **kwargs):
    api = "nisa.nc_matmul"
    _no_mask(kwargs, api)
    if is_transpose or tile_position or tile_size or (perf_mode not in (None, "none")):
        raise unsupported("nisa.nc_matmul with is_transpose/tile_position/tile_size/perf_mode")
    _tensor(dst, "dst", api, ("psum",))
    _tensor(stationary, "stationary", api, ("sbuf",))
    _tensor(moving, "moving", api, ("sbuf",))
    before = _record_psum_write(dst, True)
    if accumulate is None:  # first write to a location overwrites, later ones add (§4.3)
        if before[0]:
            accumulate = True
        elif not before[1]:
            accumulate = False
        else:
            raise NkiError(f"{api}: dst is partly an accumulation group and partly not; give "
                           f"accumulate= explicitly")
    _emit("nc_matmul", api, dst=dst, stationary=stationary, moving=moving,
          accumulate=bool(accumulate))


def nc_transpose(dst, data, engine=engine.unknown, name=None, **kwargs):
    api = "nisa.nc_transpose"
    _no_mask(kwargs, api)
    e = _engine(engine, ("tensor", "vector"), api)
    if e is None:  # NKI picks the Vector engine for tiles within 32x32, else the Tensor engine
        e = "vector" if data.shape[0] <= 32 and data.size // data.shape[0] <= 32 and \
            dst.buffer == "sbuf" else "tensor"
    _emit("nc_transpose", api, e if e != "tensor" else None, dst=_tensor(dst, "dst", api),
          data=_tensor(data, "data", api))


# Scalar, Vector, GpSimd ------------------------------------------------------------------------
def activation(dst, op, data, bias=None, scale=1.0, reduce_op=None, reduce_res=None,
               reduce_cmd=reduce_cmd.idle, name=None, **kwargs):
    api = "nisa.activation"
    _no_mask(kwargs, api)
    operands = dict(dst=_tensor(dst, "dst", api), op=tokens.act_name(op, "op"),
                    data=_tensor(data, "data", api))
    operands["scale"] = _scalar_or_tensor(scale, "scale", api)
    if bias is not None:
        operands["bias"] = _scalar_or_tensor(bias, "bias", api)
    if reduce_res is not None:
        operands["reduce_op"] = tokens.alu_name(reduce_op or tokens.TOKENS["add"], "reduce_op")
        # idle with a reduce_res asks for the sum all the same: written fresh, as reset_reduce
        operands["reduce_cmd"] = _ReduceCmd(reduce_cmd or _ReduceCmd.reset_reduce).name
        operands["reduce_res"] = _tensor(reduce_res, "reduce_res", api)
    _emit("activation", api, **operands)


def activation_reduce(dst, op, data, reduce_op, reduce_res, bias=None, scale=1.0, name=None,
                      **kwargs):
    """dst = op(data * scale + bias); reduce_res ([P, 1]) = the sum over each row of dst's fp32
    values, the Scalar accumulator reset first."""
    api = "nisa.activation_reduce"
    _no_mask(kwargs, api)
    operands = dict(dst=_tensor(dst, "dst", api), op=tokens.act_name(op, "op"),
                    data=_tensor(data, "data", api),
                    reduce_op=tokens.alu_name(reduce_op, "reduce_op"),
                    reduce_res=_tensor(reduce_res, "reduce_res", api),
                    scale=_scalar_or_tensor(scale, "scale", api))
    if bias is not None:
        operands["bias"] = _scalar_or_tensor(bias, "bias", api)
    _emit("activation_reduce", api, **operands)


def tensor_tensor(dst, data1, data2, op, engine=engine.unknown, name=None, **kwargs):
    api = "nisa.tensor_tensor"
    _no_mask(kwargs, api)
    _emit("tensor_tensor", api, _engine(engine, ("vector", "gpsimd"), api),
          dst=_tensor(dst, "dst", api), data1=_tensor(data1, "data1", api),
          data2=_tensor(data2, "data2", api), op=tokens.alu_name(op, "op"))


def tensor_scalar(dst, data, op0, operand0, reverse0=False, op1=None, operand1=None,
                  reverse1=False, engine=engine.unknown, name=None, **kwargs):
    api = "nisa.tensor_scalar"
    _no_mask(kwargs, api)
    operands = dict(dst=_tensor(dst, "dst", api), data=_tensor(data, "data", api),
                    op0=tokens.alu_name(op0, "op0"),
                    operand0=_scalar_or_tensor(operand0, "operand0", api), reverse0=bool(reverse0))
    if op1 is not None:
        operands.update(op1=tokens.alu_name(op1, "op1"),
                        operand1=_scalar_or_tensor(operand1, "operand1", api),
                        reverse1=bool(reverse1))
    _emit("tensor_scalar", api, _engine(engine, ("vector", "scalar", "gpsimd"), api), **operands)


def tensor_copy(dst, src, engine=engine.unknown, name=None, dtype=None, **kwargs):
    api = "nisa.tensor_copy"
    _no_mask(kwargs, api)
    if dtype is not None and dtypes.canonical(dtype) != dst.dtype:
        raise NkiError(f"{api}: dtype={dtypes.canonical(dtype)} differs from dst's {dst.dtype}")
    _emit("tensor_copy", api, _engine(engine, ("vector", "scalar", "gpsimd"), api),
          dst=_tensor(dst, "dst", api), src=_tensor(src, "src", api))


def tensor_reduce(dst, op, data, axis, negate=False, keepdims=False, name=None, **kwargs):
    api = "nisa.tensor_reduce"
    _no_mask(kwargs, api)
    _tensor(data, "data", api)
    axes = sorted({a % data.ndim for a in (axis if isinstance(axis, (list, tuple)) else [axis])})
    if axes[0] == 0 or axes != list(range(axes[0], data.ndim)):
        raise unsupported(f"{api} over axes {axes} of a {data.ndim}-D tile (nsim reduces the "
                          f"trailing free dims)")
    kept = len(_trace._merge(data.dims[:axes[0]]))
    _emit("tensor_reduce", api, dst=_tensor(dst, "dst", api), op=tokens.alu_name(op, "op"),
          data=_trace.Split(data, axes[0]), axis=kept, negate=bool(negate))


def tensor_partition_reduce(dst, op, data, name=None, **kwargs):
    """dst[0] = fold(op) of data's partitions (add, maximum, bitwise_or, bitwise_and; nsim has no
    `average`), on GpSimd, both in SBUF."""
    api = "nisa.tensor_partition_reduce"
    _no_mask(kwargs, api)
    _emit("tensor_partition_reduce", api, dst=_tensor(dst, "dst", api, ("sbuf",)),
          op=tokens.alu_name(op, "op"), data=_tensor(data, "data", api, ("sbuf",)))


def tensor_tensor_scan(dst, data0, data1, initial, op0, op1, reverse0=False, reverse1=False,
                       name=None, **kwargs):
    """dst[p][f] = op1(op0(data0[p][f], prev), data1[p][f]), prev starting at `initial` (a number
    or a [P, 1] tile): op0=multiply, op1=add is h = a*h + b."""
    api = "nisa.tensor_tensor_scan"
    _no_mask(kwargs, api)
    _emit("tensor_tensor_scan", api, dst=_tensor(dst, "dst", api),
          data0=_tensor(data0, "data0", api), data1=_tensor(data1, "data1", api),
          initial=_scalar_or_tensor(initial, "initial", api), op0=tokens.alu_name(op0, "op0"),
          op1=tokens.alu_name(op1, "op1"), reverse0=bool(reverse0), reverse1=bool(reverse1))


def scalar_tensor_tensor(dst, data, op0, operand0, op1, operand1, reverse0=False, reverse1=False,
                         name=None, **kwargs):
    """dst = (data op0 operand0) op1 operand1: operand0 a number or [P, 1] tile, operand1 a tile."""
    api = "nisa.scalar_tensor_tensor"
    _no_mask(kwargs, api)
    _emit("scalar_tensor_tensor", api, dst=_tensor(dst, "dst", api),
          data=_tensor(data, "data", api), op0=tokens.alu_name(op0, "op0"),
          operand0=_scalar_or_tensor(operand0, "operand0", api), op1=tokens.alu_name(op1, "op1"),
          operand1=_tensor(operand1, "operand1", api), reverse0=bool(reverse0),
          reverse1=bool(reverse1))


def tensor_scalar_reduce(dst, data, op0, operand0, reduce_op, reduce_res=None, reverse0=False,
                         reduce_cmd=reduce_cmd.reset_reduce, reduce_init=None,
                         reduce_res_negate=False, name=None, **kwargs):
    """dst = data op0 operand0; the Vector accumulator folds it with reduce_op under reduce_cmd
    and reduce_res (a [P, 1] tile) reads it, negated if reduce_res_negate."""
    api = "nisa.tensor_scalar_reduce"
    _no_mask(kwargs, api)
    if reverse0:
        raise NkiError(f"{api}: reverse0=True is not supported (NKI computes data op0 operand0)")
    operands = dict(dst=_tensor(dst, "dst", api), data=_tensor(data, "data", api),
                    op0=tokens.alu_name(op0, "op0"),
                    operand0=_scalar_or_tensor(operand0, "operand0", api),
                    reduce_op=tokens.alu_name(reduce_op, "reduce_op"),
                    reduce_cmd=_ReduceCmd(reduce_cmd).name)
    if reduce_res is not None:
        operands["reduce_res"] = _tensor(reduce_res, "reduce_res", api)
    if reduce_init is not None:
        operands["reduce_init"] = float(reduce_init)
    _emit("tensor_scalar_reduce", api, reduce_res_negate=bool(reduce_res_negate), **operands)


def reciprocal(dst, data, name=None, **kwargs):
    _no_mask(kwargs, "nisa.reciprocal")
    _emit("reciprocal", "nisa.reciprocal", dst=_tensor(dst, "dst", "nisa.reciprocal"),
          data=_tensor(data, "data", "nisa.reciprocal"))


def memset(dst, value, engine=engine.unknown, name=None, **kwargs):
    api = "nisa.memset"
    _no_mask(kwargs, api)
    _emit("memset", api, _engine(engine, ("vector", "gpsimd"), api), dst=_tensor(dst, "dst", api),
          value=float(value))


def iota(dst, pattern, offset=0, channel_multiplier=0, name=None, **kwargs):
    api = "nisa.iota"
    _no_mask(kwargs, api)
    _emit("iota", api, dst=_tensor(dst, "dst", api, ("sbuf",)),
          pattern=[list(p) for p in pattern], offset=int(offset),
          channel_multiplier=int(channel_multiplier))


def affine_select(dst, pattern, channel_multiplier, on_true_tile, on_false_value,
                  cmp_op=None, offset=0, name=None, **kwargs):
    """dst = cmp_op(offset + channel_multiplier * p + pattern index, 0) ? on_true_tile :
    on_false_value (the 0.3+ argument order)."""
    api = "nisa.affine_select"
    _no_mask(kwargs, api)
    _emit("affine_select", api, dst=_tensor(dst, "dst", api, ("sbuf",)),
          pattern=[list(p) for p in pattern], channel_multiplier=int(channel_multiplier),
          on_true_tile=_tensor(on_true_tile, "on_true_tile", api, ("sbuf",)),
          on_false_value=float(on_false_value),
          cmp_op=tokens.alu_name(cmp_op or tokens.TOKENS["equal"], "cmp_op"), offset=int(offset))


def tensor_copy_predicated(dst, src, predicate, reverse_pred=False, name=None, **kwargs):
    api = "nisa.tensor_copy_predicated"
    _no_mask(kwargs, api)
    _emit("tensor_copy_predicated", api, dst=_tensor(dst, "dst", api),
          src=_scalar_or_tensor(src, "src", api), predicate=_tensor(predicate, "predicate", api),
          reverse_pred=bool(reverse_pred))


def select_reduce(dst, predicate, on_true, on_false, reduce_res=None, reduce_cmd=reduce_cmd.idle,
                  reduce_op=None, reverse_pred=False, name=None, **kwargs):
    api = "nisa.select_reduce"
    _no_mask(kwargs, api)
    if reduce_op is not None and tokens.alu_name(reduce_op, "reduce_op") != "maximum":
        raise unsupported(f"{api}(reduce_op={reduce_op!r}) (nsim reduces with maximum)")
    operands = dict(dst=_tensor(dst, "dst", api), predicate=_tensor(predicate, "predicate", api),
                    on_true=_tensor(on_true, "on_true", api),
                    on_false=_scalar_or_tensor(on_false, "on_false", api))
    if reduce_res is not None:
        operands.update(reduce_res=_tensor(reduce_res, "reduce_res", api),
                        reduce_cmd=_ReduceCmd(reduce_cmd or _ReduceCmd.reset_reduce).name)
    _emit("select_reduce", api, reverse_pred=bool(reverse_pred), **operands)


def max8(dst, src, name=None, **kwargs):
    """dst ([P, 8]) = the 8 largest values of each partition of src, descending."""
    api = "nisa.max8"
    _no_mask(kwargs, api)
    _emit("max8", api, dst=_tensor(dst, "dst", api), src=_tensor(src, "src", api))


def nc_find_index8(dst, data, vals, name=None, **kwargs):
    """dst[p][j] (uint32/uint16) = the flat index of the first element of data[p] equal to
    vals[p][j]; a repeated value takes the next match; absent: all ones."""
    api = "nisa.nc_find_index8"
    _no_mask(kwargs, api)
    _emit("nc_find_index8", api, dst=_tensor(dst, "dst", api), data=_tensor(data, "data", api),
          vals=_tensor(vals, "vals", api))


def nc_match_replace8(dst, data, vals, imm, dst_idx=None, name=None, **kwargs):
    """dst = data with the first element matching each of vals[p][7], ..., vals[p][0] replaced
    by imm; dst_idx ([P, 8]) gets their flat indices."""
    api = "nisa.nc_match_replace8"
    _no_mask(kwargs, api)
    _emit("nc_match_replace8", api, dst=_tensor(dst, "dst", api),
          data=_tensor(data, "data", api), vals=_tensor(vals, "vals", api), imm=float(imm),
          dst_idx=None if dst_idx is None else _tensor(dst_idx, "dst_idx", api))


FP32_MIN = -3.4028235e+38


def range_select(dst, on_true_tile, comp_op0, comp_op1, bound0, bound1,
                 reduce_cmd=reduce_cmd.reset_reduce, reduce_res=None, reduce_op=None,
                 range_start=0, on_false_value=FP32_MIN, name=None, **kwargs):
    """dst = on_true_tile where comp_op0(range_start + f, bound0) and comp_op1(range_start + f,
    bound1) ([P, 1] fp32 bounds), else FP32_MIN; the running max goes to the Vector accumulator
    and reduce_res. Trn2 and later."""
    api = "nisa.range_select"
    _no_mask(kwargs, api)
    if reduce_op is not None and tokens.alu_name(reduce_op, "reduce_op") != "maximum":
        raise NkiError(f"{api}: reduce_op={reduce_op!r}, expected nl.maximum")
    if float(on_false_value) != FP32_MIN:
        raise NkiError(f"{api}: on_false_value={on_false_value!r}, expected FP32_MIN "
                       f"({FP32_MIN})")
    _emit("range_select", api, dst=_tensor(dst, "dst", api),
          on_true_tile=_tensor(on_true_tile, "on_true_tile", api),
          comp_op0=tokens.alu_name(comp_op0, "comp_op0"),
          comp_op1=tokens.alu_name(comp_op1, "comp_op1"),
          bound0=_tensor(bound0, "bound0", api), bound1=_tensor(bound1, "bound1", api),
          reduce_cmd=_ReduceCmd(reduce_cmd).name,
          reduce_res=None if reduce_res is None else _tensor(reduce_res, "reduce_res", api),
          range_start=int(range_start))


def dropout(dst, data, prob, name=None, **kwargs):
    """dst = data with each element zeroed with probability prob (a number or a [P, 1] tile);
    survivors are not rescaled. The random draws are nsim's seeded generator (docs/nki.md)."""
    api = "nisa.dropout"
    _no_mask(kwargs, api)
    _emit("dropout", api, dst=_tensor(dst, "dst", api), data=_tensor(data, "data", api),
          prob=_scalar_or_tensor(prob, "prob", api))


def nc_stream_shuffle(dst, src, shuffle_mask, name=None, **kwargs):
    """Partition 32q + i of dst = partition 32q + shuffle_mask[i] of src in every 32-partition
    quadrant q (32 integers; 255 leaves the partition as it was). dst may be src."""
    api = "nisa.nc_stream_shuffle"
    _no_mask(kwargs, api)
    mask = [int(m) for m in shuffle_mask]
    _emit("nc_stream_shuffle", api, dst=_tensor(dst, "dst", api), src=_tensor(src, "src", api),
          shuffle_mask=mask)


def bn_stats(dst, data, name=None, **kwargs):
    _emit("bn_stats", "nisa.bn_stats", dst=_tensor(dst, "dst", "nisa.bn_stats"),
          data=_tensor(data, "data", "nisa.bn_stats"))


def bn_aggr(dst, data, name=None, **kwargs):
    _emit("bn_aggr", "nisa.bn_aggr", dst=_tensor(dst, "dst", "nisa.bn_aggr"),
          data=_tensor(data, "data", "nisa.bn_aggr"))


# DMA -------------------------------------------------------------------------------------------
def dma_copy(dst, src, priority=None, oob_mode=oob_mode.error, dge_mode=dge_mode.unknown,
             engine=engine.unknown, name=None, **kwargs):
    api = "nisa.dma_copy"
    _no_mask(kwargs, api)
    if kwargs.get("dst_rmw_op") is not None:
        raise unsupported("nisa.dma_copy(dst_rmw_op=...)")
    dst = _tensor(dst, "dst", api, ("sbuf", "hbm"))
    src = _tensor(src, "src", api, ("sbuf", "hbm"))
    if dst.size != src.size:
        raise NkiError(f"{api}: src has {src.size} elements {src.shape}, dst {dst.size} "
                       f"{dst.shape}; expected equal counts")
    _emit("dma_copy", api, dst=dst, src=src, queue=_trace.current(api).next_dma_queue())


_TRANSPOSE_AXES = {2: (1, 0), 3: (2, 1, 0), 4: (3, 1, 2, 0)}  # NKI's defaults by rank


def dma_transpose(dst, src, axes=None, priority=None, dge_mode=dge_mode.unknown,
                  oob_mode=oob_mode.error, name=None, **kwargs):
    """dst (SBUF) = src (HBM or SBUF) with its dims permuted: dst dim i is src dim axes[i],
    by default (1, 0), (2, 1, 0) or (3, 1, 2, 0) for 2-D to 4-D. Trn2 and later."""
    api = "nisa.dma_transpose"
    _no_mask(kwargs, api)
    dst = _tensor(dst, "dst", api, ("sbuf",))
    src = _tensor(src, "src", api, ("sbuf", "hbm"))
    rank = len(src.shape)
    axes = tuple(int(a) for a in axes) if axes is not None else _TRANSPOSE_AXES.get(rank)
    if axes is None or sorted(axes) != list(range(rank)):
        raise NkiError(f"{api}: axes={axes!r}, expected a permutation of the {rank} dims of src")
    want = tuple(src.shape[a] for a in axes)
    if tuple(dst.shape) != want:
        raise NkiError(f"{api}: dst shape {tuple(dst.shape)}, expected {want} (src "
                       f"{tuple(src.shape)} permuted by axes {axes})")
    for t in (src, dst):  # one access-pattern dim per tensor dim, none merged
        if len(t.dims) != len(t.shape):
            raise unsupported(f"{api} of a view with dims {t.dims} for shape {t.shape}")
    _emit("dma_transpose", api, dst=_trace.Split(dst, _trace.KEEP_DIMS),
          src=_trace.Split(src, _trace.KEEP_DIMS), axes=list(axes),
          queue=_trace.current(api).next_dma_queue())


def nc_matmul_mx(*args, **kwargs):
    raise unsupported("nisa.nc_matmul_mx (a NeuronCore-v4 / trn3 instruction; nsim models "
                      "NeuronCore-v1 to v3)")


def quantize_mx(*args, **kwargs):
    raise unsupported("nisa.quantize_mx (a NeuronCore-v4 / trn3 instruction; nsim models "
                      "NeuronCore-v1 to v3)")


__getattr__ = stub_module_getattr("nisa")
