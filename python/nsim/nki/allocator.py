"""Placement of SBUF and PSUM tensors after tracing (policy: docs/nki.md "Allocation").

Every execution of nl.ndarray on chip is a tensor live from its creation to its last use. Tensors
are placed in creation order, first fit, across all partitions: a tensor avoids the bytes of every
tensor live at the same time and, so that consecutive iterations of a loop can overlap, those of
the last `rotation - 1` tensors made at the same kernel line (its allocation site). When that does
not fit, the rotation gives way before the allocation fails; it fails only when the live tensors
alone leave no room, naming the kernel line."""
from .errors import NkiError

ALIGN = 4  # bytes; nsim's assumption (NKI documents no SBUF alignment, KLR uses 1)


def place(storages, buffer, capacity, rotation, bank_bytes=None):
    """Sets .address of each storage (those of `buffer`, in creation order)."""
    active = []  # placed tensors not yet dead: (last_use, address, end)
    recent = {}  # site -> the last rotation-1 placements there: [(address, end)]
    for t in storages:
        size = _round_up(max(t.partition_bytes, 1), ALIGN)
        start = t.created
        end_use = t.last_use if t.last_use is not None else start
        active = [a for a in active if a[0] >= start]
        live = [(a[1], a[2]) for a in active]
        site = recent.setdefault(t.where, [])
        address = _first_fit(live + site, size, capacity, bank_bytes)
        if address is None:
            address = _first_fit(live, size, capacity, bank_bytes)
        if address is None:
            used = sum(e - a for a, e in live)
            raise NkiError(f"{buffer.upper()} full: this {t.shape} {t.dtype} tensor needs "
                           f"{size} bytes per partition, but {len(live)} live tensors hold {used} "
                           f"of {capacity} (lifetimes end at each tensor's last use; make tiles "
                           f"smaller or free them sooner)", t.where)
        t.address = address
        active.append((end_use, address, address + size))
        site.append((address, address + size))
        del site[:max(0, len(site) - (rotation - 1))]


def _first_fit(taken, size, capacity, bank_bytes):
    address = _fit_bank(0, size, bank_bytes)
    for a, e in sorted(taken):
        if address + size <= a:
            break
        if e > address:
            address = _fit_bank(_round_up(e, ALIGN), size, bank_bytes)
    return address if address + size <= capacity else None


def _fit_bank(address, size, bank_bytes):
    """PSUM: a tile of at most a bank stays within one bank; a larger one starts a bank."""
    if not bank_bytes:
        return address
    if size > bank_bytes or address // bank_bytes != (address + size - 1) // bank_bytes:
        return _round_up(address, bank_bytes)
    return address


def _round_up(x, a):
    return -(-x // a) * a
