"""Placement of SBUF and PSUM tensors after tracing (policy: docs/nki.md "Allocation").

Every execution of nl.ndarray on chip is a tensor live from its creation to its last use. So that
consecutive iterations of a loop can overlap, a tensor's bytes also stay reserved until its
allocation site (the kernel line of its nl.ndarray) has made `rotation - 1` more tensors: the site
then rotates over `rotation` physical buffers, as the Neuron compiler's multi-buffering does.
Tensors are placed in creation order, first fit, across all partitions, avoiding every tensor
reserved at the same time. When that does not fit, the reservations give way to the lifetimes
alone; only when the live tensors leave no room does the allocation fail, naming the kernel line."""
from .errors import NkiError

ALIGN = 4  # bytes; nsim's assumption (NKI documents no SBUF alignment, KLR uses 1)


def place(storages, buffer, capacity, rotation, bank_bytes=None):
    """Sets .address of each storage (all of `buffer`, in creation order). Tensors given an
    address=(partition, offset) keep it (they may alias each other); the others avoid them while
    both live, across all partitions."""
    fixed = [t for t in storages if t.fixed is not None]
    for t in fixed:
        t.partition_start, t.address = t.fixed
    storages = [t for t in storages if t.fixed is None]
    reserved = _reservations(storages, rotation)
    placed = []  # (reserved_until, last_use, address, end), pruned as they expire
    for t in storages:
        size = _round_up(max(t.partition_bytes, 1), ALIGN)
        start = t.created
        placed = [p for p in placed if p[0] >= start]
        pinned = [(f.address, f.address + f.partition_bytes) for f in fixed
                  if f.created <= reserved[t.ident] and _last_use(f) >= start]
        address = _first_fit([(a, e) for _, _, a, e in placed] + pinned, size, capacity,
                             bank_bytes)
        if address is None:
            live = [(a, e) for _, last, a, e in placed if last >= start] + pinned
            address = _first_fit(live, size, capacity, bank_bytes)
            if address is None:
                raise NkiError(
                    f"{buffer.upper()} full: this {t.shape} {t.dtype} tensor needs {size} bytes "
                    f"per partition, but {len(live)} live tensors hold "
                    f"{sum(e - a for a, e in live)} of {capacity} (a tensor lives until its last "
                    f"use: make tiles smaller or let them die sooner)", t.where)
        t.address = address
        placed.append((reserved[t.ident], _last_use(t), address, address + size))


def _last_use(t):
    return t.last_use if t.last_use is not None else t.created


def _reservations(storages, rotation):
    """Per tensor: until when its bytes stay reserved (its last use, or the creation of the
    (rotation-1)-th later tensor of its site, whichever is later)."""
    by_site = {}
    for t in storages:
        by_site.setdefault(t.where, []).append(t)
    out = {}
    for tensors in by_site.values():
        for k, t in enumerate(tensors):
            later = k + rotation - 1
            successor = tensors[later].created if rotation > 1 and later < len(tensors) else -1
            out[t.ident] = max(_last_use(t), successor)
    return out


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
