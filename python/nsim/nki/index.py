"""Beta 1 index algebra: nl.arange / nl.mgrid iterators, affine index expressions in them, and
`mask=` predicates (docs/nki-beta1.md "Index expressions and masks").

An iterator spans one axis of an index grid; axes count from the left as written
(`nl.arange(n)[:, None]` is axis 0, the partitions; `[None, :]` axis 1; `nl.mgrid[0:P, 0:F]`
axes 0 and 1). An expression is `const + sum(coeff[a] * k_a)` with k_a in range(size[a]); a
tensor subscripted with expressions is a strided view whose dims are the grid's axes (tensor.py).
A mask is a conjunction of comparisons of such expressions; each comparison involving one axis
cuts that axis to an interval, so the instruction shrinks to a box (docs/nki-beta1.md)."""
import numbers

import numpy as np

from .errors import NkiError, unsupported


def _non_affine(what):
    return NkiError(f"err_unsupported_expression_in_mask: {what} is not affine in nl.arange "
                    f"indices (only +, - and multiplication by an integer are)")


class IndexExpr:
    """const + sum(coeffs[a] * k_a); sizes[a] = the range of k_a. A fresh nl.arange has one axis
    `None` until it is lifted with [:, None] or [None, :]."""

    __slots__ = ("const", "coeffs", "sizes")
    __hash__ = None

    def __init__(self, const, coeffs, sizes):
        self.const, self.coeffs, self.sizes = const, coeffs, sizes

    @property
    def rank(self):
        return 1 + max((a for a in self.sizes if a is not None), default=-1)

    def __getitem__(self, key):
        """[:, None] / [None, :] (and longer forms): puts a 1-D arange on axis key.index(:)."""
        key = key if isinstance(key, tuple) else (key,)
        if list(self.sizes) != [None] or sum(k == slice(None) for k in key) != 1 or \
                any(k is not None and k != slice(None) for k in key):
            raise NkiError("an nl.arange index is lifted with [:, None] (partition) or "
                           "[None, :] (free): one ':' and the rest None")
        axis = key.index(slice(None))
        return IndexExpr(self.const, {axis: self.coeffs[None]}, {axis: self.sizes[None]})

    # Affine arithmetic --------------------------------------------------------------------------
    def _combine(self, other, sign):
        if isinstance(other, IndexExpr):
            coeffs, sizes = dict(self.coeffs), dict(self.sizes)
            for a, c in other.coeffs.items():
                if a in sizes and sizes[a] != other.sizes[a]:
                    raise NkiError(f"index expressions of different sizes {sizes[a]} and "
                                   f"{other.sizes[a]} on grid axis {a}")
                sizes[a] = other.sizes[a]
                coeffs[a] = coeffs.get(a, 0) + sign * c
            return IndexExpr(self.const + sign * other.const, coeffs, sizes)
        if isinstance(other, numbers.Integral):
            return IndexExpr(self.const + sign * int(other), dict(self.coeffs), dict(self.sizes))
        raise _non_affine(f"an index expression combined with {type(other).__name__}")

    def __add__(self, other):
        return self._combine(other, 1)

    __radd__ = __add__

    def __sub__(self, other):
        return self._combine(other, -1)

    def __rsub__(self, other):
        return (-self)._combine(other, 1)

    def __neg__(self):
        return self * -1

    def __mul__(self, other):
        if isinstance(other, IndexExpr):
            raise _non_affine("a product of two index expressions")
        if not isinstance(other, numbers.Integral):
            raise _non_affine(f"an index expression times {type(other).__name__}")
        k = int(other)
        return IndexExpr(self.const * k, {a: c * k for a, c in self.coeffs.items()},
                         dict(self.sizes))

    __rmul__ = __mul__

    def _not_affine(self, *args):
        raise _non_affine("%, // or / of an index expression")

    __mod__ = __rmod__ = __floordiv__ = __rfloordiv__ = __truediv__ = __rtruediv__ = _not_affine

    def __bool__(self):
        raise NkiError("err_control_flow_condition_depending_on_arange: Python control flow "
                       "cannot depend on an nl.arange index (use mask=)")

    # Comparisons make mask predicates -----------------------------------------------------------
    def _compare(self, other, op):
        if not isinstance(other, (IndexExpr, numbers.Integral)):
            raise _non_affine(f"a comparison of an index with {type(other).__name__}")
        return Predicate([(self - other, op)])

    def __lt__(self, other):
        return self._compare(other, "lt")

    def __le__(self, other):
        return self._compare(other, "le")

    def __gt__(self, other):
        return self._compare(other, "gt")

    def __ge__(self, other):
        return self._compare(other, "ge")

    def __eq__(self, other):
        if not isinstance(other, (IndexExpr, numbers.Integral)):
            return NotImplemented
        return self._compare(other, "eq")

    def __ne__(self, other):
        if not isinstance(other, (IndexExpr, numbers.Integral)):
            return NotImplemented
        return self._compare(other, "ne")

    def values(self, axis):
        """The values along grid axis `axis` of const + coeff * k (other axes at 0)."""
        return self.const + self.coeffs.get(axis, 0) * np.arange(self.sizes[axis])

    def bounds(self, sizes=None):
        """(min, max) of the expression over the grid (sizes: the axes' current sizes)."""
        lo = hi = self.const
        for a, c in self.coeffs.items():
            n = (sizes or self.sizes)[a]
            lo += min(0, c * (n - 1))
            hi += max(0, c * (n - 1))
        return lo, hi


_OPS = {"lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
        "eq": np.equal, "ne": np.not_equal}


class Predicate:
    """A conjunction of `expr OP 0` terms (a Beta 1 mask)."""

    __slots__ = ("terms",)

    def __init__(self, terms):
        self.terms = terms

    def __and__(self, other):
        if not isinstance(other, Predicate):
            raise _non_affine(f"a mask combined with {type(other).__name__}")
        return Predicate(self.terms + other.terms)

    def __or__(self, other):
        raise _non_affine("'|' of two masks (a mask is a conjunction, joined with '&')")

    def __invert__(self):
        raise _non_affine("'~' of a mask")

    def __bool__(self):
        raise NkiError("err_control_flow_condition_depending_on_arange: Python control flow "
                       "cannot depend on an nl.arange index (use mask=)")


EMPTY = "empty"


def region(mask):
    """The box a mask keeps: {axis: (lo, hi, size)} (k_axis in [lo, hi) of range(size)), {} for
    no mask, or EMPTY when nothing is kept (NKI then drops the instruction)."""
    if mask is None or mask is True:
        return {}
    if mask is False:
        return EMPTY
    if not isinstance(mask, Predicate):
        raise NkiError(f"err_unsupported_expression_in_mask: mask= takes comparisons of nl.arange "
                       f"/ nl.mgrid indices joined with '&', found {type(mask).__name__}"
                       + (" (a tile: a run-time value)" if hasattr(mask, "storage") else ""))
    box = {}
    for expr, op in mask.terms:
        axes = [a for a, c in expr.coeffs.items() if c != 0]
        if not axes:
            if not _OPS[op](expr.const, 0):
                return EMPTY
            continue
        if len(axes) > 1:
            raise unsupported("a mask comparing two indices (not a rectangle; use "
                              "nisa.affine_select for triangles)")
        a = axes[0]
        if a is None:
            raise NkiError("err_1d_arange_not_supported: lift nl.arange with [:, None] or "
                           "[None, :] before using it")
        keep = np.flatnonzero(_OPS[op](expr.values(a), 0))
        if len(keep) == 0:
            return EMPTY
        lo, hi, size = box.get(a, (0, expr.sizes[a], expr.sizes[a]))
        lo, hi = max(lo, int(keep[0])), min(hi, int(keep[-1]) + 1)
        if len(keep) != keep[-1] - keep[0] + 1:
            raise unsupported("a mask keeping a non-contiguous set of indices ('!=')")
        if lo >= hi:
            return EMPTY
        box[a] = (lo, hi, size)
    return box


def arange(*args):
    """nl.arange(stop) / nl.arange(start, stop): a 1-D index, lifted with [:, None] / [None, :]."""
    start, stop = (0, args[0]) if len(args) == 1 else args[:2]
    step = args[2] if len(args) > 2 else 1
    n = len(range(int(start), int(stop), int(step)))
    return IndexExpr(int(start), {None: int(step)}, {None: n})


class Grid(tuple):
    """nl.mgrid[...]'s result: a tuple of index expressions, also as .p .x .y .z."""

    p = property(lambda self: self[0])
    x = property(lambda self: self[1])
    y = property(lambda self: self[2])
    z = property(lambda self: self[3])


class _MGrid:
    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        exprs = []
        for axis, k in enumerate(key):
            if not isinstance(k, slice) or k.stop is None:
                raise NkiError(f"nl.mgrid takes start:stop[:step] slices, found {k!r}")
            r = range(k.start or 0, k.stop, k.step or 1)
            exprs.append(IndexExpr(r.start, {axis: r.step}, {axis: len(r)}))
        return Grid(exprs)


mgrid = _MGrid()
