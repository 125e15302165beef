"""A traced kernel: its tensors and its instructions in program order, turned into nsim kernel
text once the allocator has placed the on-chip tensors."""
import math
import re

import numpy as np

from . import allocator, dtypes
from .errors import NkiError, caller
from .tensor import NkiTensor, Storage, check_bounds

_current = None  # the Trace of the kernel being traced (one at a time)


def current(api):
    if _current is None:
        raise NkiError(f"{api} called outside an @nki.jit kernel")
    return _current


KEEP_DIMS = "keep"


class Split:
    """A view whose free dims are merged on each side of `at` separately (tensor_reduce keeps its
    reduced dims apart from the kept ones), or, with `at` KEEP_DIMS, not merged at all
    (dma_transpose permutes them one by one)."""

    def __init__(self, view, at):
        self.view, self.at = view, at


class Instruction:
    __slots__ = ("opcode", "operands", "engine", "where", "api")

    def __init__(self, opcode, operands, engine, where, api):
        self.opcode, self.operands, self.engine = opcode, operands, engine
        self.where, self.api = where, api


class Trace:
    def __init__(self, name, chip, program_id=0, grid=None):
        self.name, self.chip = name, chip  # chip: nsim.describe_chip's dict
        self.program_id, self.grid = program_id, grid  # grid: the SPMD launch's dims, or None
        self.programs = math.prod(grid or (1,))
        self.storages, self.instructions = [], []
        self.psum_other_writes = set()  # PSUM storages written by other than matmuls, memset 0
        self.hbm_names = set()
        self.dma_count = 0

    def next_dma_queue(self):
        """The queue of the next dma_copy: round-robin over the core's queues, as the Neuron
        compiler spreads a kernel's DMAs over the DMA engines (docs/nki.md)."""
        from .kernel import settings
        queues = settings.dma_queues or self.chip["limits"]["dma_queues"]
        self.dma_count += 1
        return (self.dma_count - 1) % queues

    # Tensors ---------------------------------------------------------------------------------
    def hbm_tensor(self, name, shape, dtype, role, where=None):
        name = _identifier(name or f"t{len(self.storages)}")
        while name in self.hbm_names or name in ("sbuf", "psum"):
            name += "_"
        self.hbm_names.add(name)
        s = Storage(len(self.storages), name, shape, dtype, "hbm", where or caller())
        s.role = role
        self.storages.append(s)
        return NkiTensor.whole(s)

    def on_chip_tensor(self, shape, dtype, buffer, name="", address=None):
        where = caller()
        blocks = next((k for k, x in enumerate(shape) if getattr(x, "par_dim", False)), 0)
        shape = tuple(int(x) for x in shape)
        if blocks:  # Beta 1 block dims before nl.par_dim: stored partition first
            view = self.on_chip_tensor(shape[blocks:blocks + 1] + shape[:blocks] +
                                       shape[blocks + 1:], dtype, buffer, name, address)
            dims = view.dims[1:blocks + 1] + view.dims[:1] + view.dims[blocks + 1:]
            return NkiTensor(view.storage, 0, dims, blocks=blocks)
        limits = self.chip["limits"]
        if len(shape) < 2:
            raise NkiError(f"an on-chip ({buffer}) tensor has a partition dim and at least one "
                           f"free dim, found shape {shape}", where)
        if shape[0] > limits["partitions"]:
            raise NkiError(f"partition dimension {shape[0]} exceeds maximum "
                           f"{limits['partitions']} (nl.tile_size.pmax)", where)
        s = Storage(len(self.storages), name or f"{buffer}{len(self.storages)}", shape, dtype,
                    buffer, where)
        s.created = len(self.instructions)
        if address is not None:
            s.fixed = _fixed_address(address, s, limits, where)
        if buffer == "psum":
            s.matmul_written = False  # or an array of per-element flags (isa._record_psum_write)
        self.storages.append(s)
        return NkiTensor.whole(s)

    # Instructions ----------------------------------------------------------------------------
    def emit(self, opcode, api, engine=None, **operands):
        index = len(self.instructions)
        for value in operands.values():
            if isinstance(value, Split):
                value = value.view
            if isinstance(value, NkiTensor):
                if value.blocks:
                    raise NkiError(f"err_failed_to_infer_tile_from_local_tensor: {api} takes a "
                                   f"tile; index the {value.blocks} block dims of "
                                   f"{value.shape} first")
                check_bounds(value)
                value.storage.used(index)
        dst = operands.get("dst")
        if isinstance(dst, NkiTensor) and dst.buffer == "psum" and opcode != "nc_matmul" and \
                not (opcode == "memset" and operands.get("value") == 0.0):
            self.psum_other_writes.add(dst.storage)
        self.instructions.append(Instruction(opcode, operands, engine, caller(), api))

    def written(self, tensor_name):
        """Indices of the elements of HBM tensor `tensor_name` some instruction writes."""
        from .isa import _indices
        parts = [_indices(inst.operands["dst"]) for inst in self.instructions
                 if isinstance(inst.operands.get("dst"), NkiTensor)
                 and inst.operands["dst"].storage.name == tensor_name]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    # Kernel text ------------------------------------------------------------------------------
    def kernel_text(self, rotation):
        """The kernel text and, per text line, the Python (file, line, api) it came from."""
        limits = self.chip["limits"]
        for buffer, capacity, bank in (
                ("sbuf", limits["sbuf_partition_bytes"], None),
                ("psum", limits["psum_partition_bytes"],
                 limits["psum_partition_bytes"] // limits["psum_banks"])):
            allocator.place([s for s in self.storages if s.buffer == buffer], buffer, capacity,
                            rotation, bank)
        lines = [f"kernel {_identifier(self.name)}", f"target {self.chip['generation']}"]
        for s in self.storages:
            if not s.on_chip:
                lines.append(f"tensor {s.name} [{','.join(map(str, s.shape))}] "
                             f"{dtypes.text_name(s.dtype)} {s.role}")
        origins = {}
        for inst in self.instructions:
            parts = [inst.opcode]
            if inst.engine:
                parts.append(f"engine={inst.engine}")
            for key, value in inst.operands.items():
                parts.append(f"{key}={_operand_text(value, inst)}")
            lines.append(" ".join(parts))
            origins[len(lines)] = (inst.where[0], inst.where[1], inst.api)
        return "\n".join(lines) + "\n", origins


def _fixed_address(address, s, limits, where):
    """An explicit address=(start partition, byte offset in each partition), checked."""
    partition, offset = (int(a) for a in address)
    if partition < 0 or partition + s.shape[0] > limits["partitions"]:
        raise NkiError(f"address partition {partition} with {s.shape[0]} partitions exceeds the "
                       f"{limits['partitions']} partitions", where)
    capacity = limits[f"{s.buffer}_partition_bytes"]
    if offset < 0 or offset + s.partition_bytes > capacity:
        raise NkiError(f"address offset {offset} with {s.partition_bytes} bytes per partition "
                       f"exceeds the {capacity} bytes of a {s.buffer.upper()} partition", where)
    bank = limits["psum_partition_bytes"] // limits["psum_banks"]
    if s.buffer == "psum" and offset % bank:
        raise NkiError(f"PSUM address offset {offset} is not at a {bank}-byte bank boundary",
                       where)
    return partition, offset


def _identifier(name):
    name = re.sub(r"[^A-Za-z0-9_]", "_", str(name))
    return name if re.match(r"[A-Za-z_]", name) else "t_" + name


def _operand_text(value, inst):
    if isinstance(value, NkiTensor):
        return access_pattern(value, inst)
    if isinstance(value, Split):
        return access_pattern(value.view, inst, value.at)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(float(np.float32(value))) if math.isfinite(value) else \
            ("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
    if isinstance(value, list) and value and isinstance(value[0], (list, tuple)):
        return "[" + ",".join(f"[{int(s)},{int(n)}]" for s, n in value) + "]"  # a pattern
    if isinstance(value, list):  # a list of integers
        return "[" + ",".join(str(int(v)) for v in value) + "]"
    return str(value)


def access_pattern(view, inst=None, split=None):
    """nsim access-pattern text of a view (docs/kernel-format.md "Access patterns")."""
    s = view.storage
    size = dtypes.size(view.dtype)
    row = s.partition_elements
    if view.dtype != s.dtype:  # .ap(dtype=): the row counts elements of the view's dtype
        row = row * dtypes.size(s.dtype) // size
    row = row or 1
    if split == KEEP_DIMS:
        dims = list(view.dims)
    elif split is None:
        dims = _merge(view.dims)
    else:
        dims = _merge(view.dims[:split]) + _merge([(1, 1)] + view.dims[split:])[1:]
    if s.on_chip:
        pstride, pnum = dims[0] if dims else (row, 1)
        if pnum > 1 and pstride != row:
            raise NkiError(f"{inst.api if inst else 'operand'}: partition dim step {pstride}, "
                           f"expected {row} (partitions cannot be strided)",
                           inst.where if inst else None)
        start, offset = divmod(view.offset, row)
        start += s.partition_start
        free = dims[1:]
        space = s.buffer
        byte_offset = s.address + offset * size
    else:
        start, offset = divmod(view.offset, max(row, 1))
        if dims and dims[0][0] == row and len(dims) > 0 and _within_row(offset, dims[1:], row):
            pnum, free = dims[0][1], dims[1:]
        else:
            pnum, free = 1, dims
        space = s.name
        byte_offset = offset * size
    if len(free) > 4:
        raise NkiError(f"{inst.api if inst else 'operand'}: {len(free)} free dims after merging, "
                       f"expected at most 4", inst.where if inst else None)
    pattern = ",".join(f"[{st},{n}]" for st, n in free) if free else "[1,1]"
    return f"{space}[{start}:{start + pnum}]@{byte_offset}.{dtypes.text_name(view.dtype)}" \
           f"{{{pattern}}}"


def _within_row(offset, free, row):
    last = offset + sum(st * (n - 1) for st, n in free)
    return 0 <= offset and last < row


def _merge(dims):
    """Drops size-1 free dims and merges contiguous neighbours (fewer, longer dims)."""
    if not dims:
        return []
    out = [dims[0]] + [d for d in dims[1:] if d[1] != 1]
    merged = [out[0]]
    for stride, num in out[1:]:
        ps, pn = merged[-1]
        if len(merged) > 1 and ps == stride * num:
            merged[-1] = (stride, pn * num)
        else:
            merged.append((stride, num))
    return merged
