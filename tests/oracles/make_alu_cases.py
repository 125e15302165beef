#!/usr/bin/python3
"""Writes tests/oracles/alu_cases.h: inputs and expected fp32 results of the ALU operators
(nki-isa-semantics.md §6.2), computed with NumPy, not with the simulator's code.

Run from anywhere with Debian's python3 (NumPy 1.24 was used):
    /usr/bin/python3 tests/oracles/make_alu_cases.py
The output is deterministic (fixed seed) and committed; rerun it after changing this script.
`--check` exits non-zero when the committed header differs from what it would write (a ctest).

How each operator's reference is made (all in IEEE binary32 unless said):
* add, subtract, multiply, divide, square, reciprocal: NumPy float32 arithmetic, which is exactly
  rounded (RNE), so the test compares bit for bit.
* maximum, minimum, relu: np.maximum / np.minimum on NaN-free inputs; a zero result may have either
  sign (the published table does not order -0 and +0).
* comparisons, logical operators: 1.0 or 0.0 from NumPy's IEEE comparisons (NaN compares unequal
  to everything) and from x != 0.
* abs, bypass: exact.
* power: np.power in float64 of the fp32 inputs, rounded once to fp32 (NaN for a negative base with
  a non-integer exponent). The simulator calls C's powf, which is not required to be exactly
  rounded: the test allows 1 ulp.
* rsqrt: 1/sqrt(x) evaluated exactly with Python's Decimal (60 digits) and rounded once to fp32;
  the test allows 1 ulp (the simulator's double-precision route rounds twice).
* Bit-vector operators: Python integers masked to the width of the dtype; right shift fills with
  zeros (§6.2: logical only); a shift by the width or more gives 0 (unpublished; the simulator's
  documented choice in sim/semantics/alu.h).
"""

import decimal
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "alu_cases.h")
rng = np.random.default_rng(20261206)
f32 = np.float32


def bits(a):
    return np.asarray(a, dtype=np.float32).view(np.uint32)


def from_bits(u):
    return np.asarray(u, dtype=np.uint32).view(np.float32)


# ------------------------------------------------------------------------------------------------
# Input sets. Each is a list of (x, y) fp32 pairs.


def fp32_set():
    """Full-precision fp32 pairs: random, plus special values where IEEE fixes the answer."""
    one = f32(1.0)
    ulp1 = f32(2.0**-23)
    fmax = np.finfo(np.float32).max
    tiny = f32(2.0**-126)
    sub = from_bits(1)  # smallest subnormal
    inf, nan = f32(np.inf), f32(np.nan)
    special = [
        (one, f32(2.0**-24)),  # add: exactly half an ulp, ties to even -> 1
        (one, f32(3 * 2.0**-24)),  # add: 1.5 ulp, ties to even -> 1 + 2 ulp
        (one + ulp1, f32(2.0**-24)),  # add: tie from an odd mantissa rounds up
        (fmax, fmax),  # overflow to inf
        (-fmax, f32(2.0)),  # multiply overflows to -inf
        (tiny, f32(0.5)),  # multiply into the subnormal range, exact
        (sub, f32(0.5)),  # multiply: half the smallest subnormal ties to even -> +0
        (f32(0.0), f32(-0.0)),
        (f32(-0.0), f32(-0.0)),
        (f32(1.0), f32(0.0)),  # divide by +0 -> inf
        (f32(-3.0), f32(0.0)),
        (f32(0.0), f32(0.0)),  # 0/0 -> NaN
        (inf, f32(1.0)),
        (inf, inf),  # inf - inf -> NaN
        (nan, f32(1.0)),  # NaN compares unequal
        (f32(1.0), nan),
        (f32(1.0), f32(3.0)),  # 1/3 rounds to 0x3eaaaaab
        (f32(2.0), f32(0.5)),
        (f32(-8.0), f32(1.0 / 3.0)),  # power: negative base, non-integer exponent -> NaN
        (f32(-2.0), f32(3.0)),  # power: negative base, integer exponent
        (f32(16777216.0), f32(1.0)),  # 2^24 + 1 is not an fp32 -> ties to even
        (f32(4.0), f32(4.0)),  # equal operands
        (f32(-2.5), f32(-2.5)),
        (f32(0.1), f32(0.2)),
    ]
    n_random = 64 - len(special)
    mag = np.exp2(rng.uniform(-20, 20, n_random))
    x = (rng.choice([-1.0, 1.0], n_random) * mag * rng.uniform(1, 2, n_random)).astype(f32)
    mag = np.exp2(rng.uniform(-20, 20, n_random))
    y = (rng.choice([-1.0, 1.0], n_random) * mag * rng.uniform(1, 2, n_random)).astype(f32)
    for i in range(0, n_random, 9):
        y[i] = x[i]  # some equal pairs for the comparisons
    return special + list(zip(x, y))


def narrow_set():
    """Values m * 2^e with |m| < 16 and -3 <= e <= 2: exact in bf16, f16, f8e4m3 and fp32."""
    def draw(n):
        m = rng.integers(-15, 16, n)
        e = rng.integers(-3, 3, n)
        return (m * np.exp2(e)).astype(f32)

    x, y = draw(64), draw(64)
    for i in range(0, 64, 7):
        y[i] = x[i]
    for i in range(3, 64, 11):
        x[i] = f32(0.0)
    return list(zip(x, y))


def integer_set():
    """Whole numbers in [-20, 20]: exact in int8, int16, int32 and fp32."""
    x = rng.integers(-20, 21, 64).astype(f32)
    y = rng.integers(-20, 21, 64).astype(f32)
    for i in range(0, 64, 7):
        y[i] = x[i]
    for i in range(5, 64, 11):
        y[i] = f32(0.0)
    return list(zip(x, y))


# ------------------------------------------------------------------------------------------------
# References.

decimal.getcontext().prec = 60


def round_to_f32(d):
    """Rounds a Decimal to the nearest fp32 (ties to even) by bracketing with float32 neighbours."""
    if d == 0:
        return f32(0.0)
    guess = f32(float(d))  # float(Decimal) is exactly rounded to double, then to float32
    lo = guess
    while decimal.Decimal(float(lo)) > d:
        lo = np.nextafter(lo, f32(-np.inf))
    while decimal.Decimal(float(np.nextafter(lo, f32(np.inf)))) <= d:
        lo = np.nextafter(lo, f32(np.inf))
    hi = np.nextafter(lo, f32(np.inf))
    dl, dh = d - decimal.Decimal(float(lo)), decimal.Decimal(float(hi)) - d
    if dl < dh:
        return lo
    if dh < dl:
        return hi
    return lo if bits(lo) % 2 == 0 else hi


def rsqrt(x):
    if np.isnan(x) or x < 0:
        return f32(np.nan)
    if x == 0:
        return f32(np.copysign(np.inf, x))
    if np.isinf(x):
        return f32(0.0)
    return round_to_f32(1 / decimal.Decimal(float(x)).sqrt())


def power(x, y):
    with np.errstate(all="ignore"):
        return f32(np.power(np.float64(x), np.float64(y)))


def b(v):
    return f32(1.0) if v else f32(0.0)


# name -> (function of two fp32 scalars, ulps allowed, zero sign free)
OPS = {
    "add": (lambda x, y: x + y, 0, False),
    "subtract": (lambda x, y: x - y, 0, False),
    "multiply": (lambda x, y: x * y, 0, False),
    "divide": (lambda x, y: x / y, 0, False),
    "maximum": (lambda x, y: np.maximum(x, y), 0, True),
    "minimum": (lambda x, y: np.minimum(x, y), 0, True),
    "power": (power, 1, False),
    "equal": (lambda x, y: b(x == y), 0, False),
    "not_equal": (lambda x, y: b(x != y), 0, False),
    "greater": (lambda x, y: b(x > y), 0, False),
    "greater_equal": (lambda x, y: b(x >= y), 0, False),
    "less": (lambda x, y: b(x < y), 0, False),
    "less_equal": (lambda x, y: b(x <= y), 0, False),
    "logical_and": (lambda x, y: b(x != 0 and y != 0), 0, False),
    "logical_or": (lambda x, y: b(x != 0 or y != 0), 0, False),
    "logical_xor": (lambda x, y: b((x != 0) != (y != 0)), 0, False),
    "logical_not": (lambda x, y: b(x == 0), 0, False),
    "abs": (lambda x, y: np.abs(x), 0, False),
    "square": (lambda x, y: x * x, 0, False),
    "relu": (lambda x, y: np.maximum(x, f32(0.0)), 0, True),
    "rsqrt": (lambda x, y: rsqrt(x), 1, False),
    "reciprocal": (lambda x, y: f32(1.0) / x, 0, False),
    "bypass": (lambda x, y: x, 0, False),
}
NAN_FREE = {"maximum", "minimum", "relu"}  # NaN handling of max/min is unpublished


def table(pairs):
    rows = []
    for name, (fn, ulps, zero_free) in OPS.items():
        out = []
        for x, y in pairs:
            if name in NAN_FREE and (np.isnan(x) or np.isnan(y)):
                out.append(None)  # not checked
                continue
            with np.errstate(all="ignore"):
                out.append(f32(fn(f32(x), f32(y))))
        rows.append((name, ulps, zero_free, out))
    return rows


# ------------------------------------------------------------------------------------------------
# tensor_scalar: (data op0 operand0) op1 operand1 with reverse flags, per-partition or immediate
# operands (§11.2). Four partitions of eight elements; partition p uses column value c0[p], c1[p].

TS_PAIRS = [("subtract", "divide"), ("multiply", "add"), ("maximum", "power"),
            ("greater", "subtract")]
TS_IMM0, TS_IMM1 = f32(0.625), f32(1.75)


def ts_cases():
    x = (rng.integers(-16, 17, (4, 8)) / 4.0).astype(f32)  # exact in fp32 and bf16
    x[0, 0] = f32(0.625)  # equal to the immediate: greater gives 0
    c0 = (rng.integers(-8, 9, 4) / 4.0).astype(f32)
    c1 = (rng.integers(2, 12, 4) / 4.0).astype(f32)
    rows = []
    for op0, op1 in TS_PAIRS:
        f0, u0, _ = OPS[op0]
        f1, u1, _ = OPS[op1]
        for mask in range(16):
            r0, r1, ap0, ap1 = mask & 1, mask & 2, mask & 4, mask & 8
            out = []
            for p in range(4):
                s0 = c0[p] if ap0 else TS_IMM0
                s1 = c1[p] if ap1 else TS_IMM1
                for f in range(8):
                    with np.errstate(all="ignore"):
                        a = f0(s0, x[p, f]) if r0 else f0(x[p, f], s0)
                        out.append(f32(f1(s1, a) if r1 else f1(a, s1)))
            rows.append((op0, op1, mask, max(u0, u1), out))
    return x, c0, c1, rows


# ------------------------------------------------------------------------------------------------
# Bit-vector operators on raw bits (§6.2).

BIT_TYPES = [("int8", 8), ("uint8", 8), ("int16", 16), ("uint16", 16), ("int32", 32),
             ("uint32", 32)]
BIT_OPS = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "left_shift", "right_shift"]


def bit_ref(op, x, y, w):
    mask = (1 << w) - 1
    x &= mask
    y &= mask
    if op == "bitwise_and":
        return x & y
    if op == "bitwise_or":
        return x | y
    if op == "bitwise_xor":
        return x ^ y
    if op == "bitwise_not":
        return mask - x
    if op == "left_shift":
        return 0 if y >= w else (x * 2**y) % 2**w
    if op == "right_shift":
        return 0 if y >= w else x // 2**y
    raise ValueError(op)


def bit_cases():
    n = 24
    out = []
    for tname, w in BIT_TYPES:
        x = [int(v) for v in rng.integers(0, 2**w, n, dtype=np.uint64)]
        x[0] = 1 << (w - 1)  # the sign bit: a logical right shift must not copy it
        x[1] = (1 << w) - 1
        y_bits = [int(v) for v in rng.integers(0, 2**w, n, dtype=np.uint64)]
        y_shift = [int(v) for v in rng.integers(0, w + 2, n)]  # includes w and w + 1
        y_shift[0], y_shift[1] = 1, w - 1
        for op in BIT_OPS:
            y = y_shift if "shift" in op else y_bits
            out.append((tname, op, x, y, [bit_ref(op, a, c, w) for a, c in zip(x, y)]))
    return n, out


# ------------------------------------------------------------------------------------------------
# Output.


def hexs(vals, per_line=8):
    items = ["0x%08xu" % v for v in vals]
    return ",\n        ".join(", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line))


def expected_bits(out):
    # A None (not checked) is written as 0xffffffff with checked = false.
    return [0xFFFFFFFF if v is None else int(bits(v)) for v in out], [v is not None for v in out]


def emit():
    L = []
    L.append("// GENERATED by tests/oracles/make_alu_cases.py (NumPy) - do not edit.")
    L.append("// Rerun: /usr/bin/python3 tests/oracles/make_alu_cases.py")
    L.append("// ALU operator oracles (nki-isa-semantics.md §6.2, §11.2) computed with NumPy and")
    L.append("// Python's Decimal, independently of sim/semantics/alu.cpp; see the script for how each")
    L.append("// operator's reference is made and why some allow 1 ulp.")
    L.append("#pragma once")
    L.append("")
    L.append("#include <cstdint>")
    L.append("")
    L.append("// clang-format off")
    L.append("namespace nsim::oracles {")
    L.append("")
    L.append("struct AluOpExpected {")
    L.append("    const char* op;        // nl. name, as isa::parse_alu_op reads it")
    L.append("    int ulps;              // fp32 ulps allowed (0: bit-exact)")
    L.append("    bool zero_sign_free;   // a zero result may be +0 or -0")
    L.append("    uint32_t bits[64];     // expected fp32 bits of op(x[i], y[i])")
    L.append("    bool checked[64];      // false: unpublished (max/min of a NaN)")
    L.append("};")
    L.append("")
    L.append("struct AluInputSet {")
    L.append("    const char* name;")
    L.append("    uint32_t x[64], y[64];  // fp32 bits")
    L.append("    AluOpExpected ops[%d];" % len(OPS))
    L.append("};")
    L.append("")
    sets = [("fp32", "full-precision fp32 values and IEEE special cases", fp32_set()),
            ("narrow", "m * 2^e, |m| < 16, -3 <= e <= 2: exact in bf16, f16, f8e4m3",
             narrow_set()),
            ("integer", "whole numbers in [-20, 20]: exact in int8/int16/int32", integer_set())]
    L.append("inline constexpr int kAluOpsPerSet = %d;" % len(OPS))
    L.append("inline const AluInputSet kAluSets[%d] = {" % len(sets))
    for name, comment, pairs in sets:
        xs = [int(bits(x)) for x, _ in pairs]
        ys = [int(bits(y)) for _, y in pairs]
        L.append("    // %s: %s" % (name, comment))
        L.append("    {\"%s\"," % name)
        L.append("     {%s}," % hexs(xs))
        L.append("     {%s}," % hexs(ys))
        L.append("     {")
        for op, ulps, zero_free, out in table(pairs):
            eb, chk = expected_bits(out)
            L.append("         {\"%s\", %d, %s,\n          {%s},\n          {%s}}," %
                     (op, ulps, "true" if zero_free else "false", hexs(eb),
                      ", ".join("true" if c else "false" for c in chk)))
        L.append("     }},")
    L.append("};")
    L.append("")

    x, c0, c1, rows = ts_cases()
    L.append("// tensor_scalar over a [4, 8] fp32 tile: partition p's operands are kTsCol0[p],")
    L.append("// kTsCol1[p] when per-partition, else the immediates %r and %r." %
             (float(TS_IMM0), float(TS_IMM1)))
    L.append("// mask bit 0: reverse0, bit 1: reverse1, bit 2: operand0 per-partition, bit 3:")
    L.append("// operand1 per-partition.")
    L.append("inline constexpr float kTsImm0 = %rf, kTsImm1 = %rf;" %
             (float(TS_IMM0), float(TS_IMM1)))
    L.append("inline constexpr uint32_t kTsData[32] = {%s};" % hexs(bits(x).ravel()))
    L.append("inline constexpr uint32_t kTsCol0[4] = {%s};" % hexs(bits(c0)))
    L.append("inline constexpr uint32_t kTsCol1[4] = {%s};" % hexs(bits(c1)))
    L.append("struct TsExpected {")
    L.append("    const char* op0;")
    L.append("    const char* op1;")
    L.append("    int mask;")
    L.append("    int ulps;")
    L.append("    uint32_t bits[32];")
    L.append("};")
    L.append("inline const TsExpected kTsCases[%d] = {" % len(rows))
    for op0, op1, mask, ulps, out in rows:
        L.append("    {\"%s\", \"%s\", %d, %d,\n     {%s}}," %
                 (op0, op1, mask, ulps, hexs([int(bits(v)) for v in out])))
    L.append("};")
    L.append("")

    n, brows = bit_cases()
    L.append("// Bit-vector operators: raw bits of each integer dtype (nl. names).")
    L.append("struct BitCase {")
    L.append("    const char* dtype;")
    L.append("    const char* op;")
    L.append("    uint32_t x[%d], y[%d], expected[%d];" % (n, n, n))
    L.append("};")
    L.append("inline constexpr int kBitCaseSize = %d;" % n)
    L.append("inline const BitCase kBitCases[%d] = {" % len(brows))
    for tname, op, x, y, e in brows:
        L.append("    {\"%s\", \"%s\",\n     {%s},\n     {%s},\n     {%s}}," %
                 (tname, op, hexs(x), hexs(y), hexs(e)))
    L.append("};")
    L.append("")
    L.append("}  // namespace nsim::oracles")
    L.append("// clang-format on")
    L.append("")
    return "\n".join(L)


if __name__ == "__main__":
    text = emit()
    if sys.argv[1:] == ["--check"]:  # the committed header is what this script writes
        with open(OUT) as fh:
            if fh.read() != text:
                sys.exit("%s is stale: rerun %s" % (OUT, os.path.basename(__file__)))
    else:
        with open(OUT, "w") as fh:
            fh.write(text)
