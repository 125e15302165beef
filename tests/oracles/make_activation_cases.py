#!/usr/bin/python3
"""Writes tests/oracles/activation_cases.h: expected results of the ScalarE `activation`
instruction, dst = op(data * scale + bias) (nki-isa-semantics.md §10.1, functions from §6.3),
computed with NumPy and Python's math module, not with the simulator's code.

Run with Debian's python3 (NumPy 1.24 was used):
    /usr/bin/python3 tests/oracles/make_activation_cases.py
The output is deterministic (fixed seed) and committed; rerun it after changing this script.
`--check` exits non-zero when the committed header differs from what it would write (a ctest).

How the reference is made:
* `data * scale + bias` in NumPy float32: multiply rounded, then add rounded (§10.1: multiply
  first, then add, all math in fp32).
* The function in float64 from its mathematical definition (§6.3), written where possible in a form
  other than the obvious one, so that a wrong formula in the simulator cannot be mirrored here:
  gelu = x/2 * erfc(-x/sqrt 2), sigmoid = (1 + tanh(x/2)) / 2, softplus = max(x, 0) + log1p(e^-|x|),
  silu = x * sigmoid(x), gelu_tanh from [NKL]'s formula; rounded once to fp32.
* Tolerances (the `ulps` of each function, in fp32 ulps before rounding into dst's dtype):
  - 0 (bit-exact) for copy, relu, abs, sign, square, sqrt, reciprocal: these are exactly rounded
    in fp32 (x*x, sqrt and 1/x of an fp32 are exactly rounded through double, since 53 >= 2*24+2);
  - 1 for rsqrt (two roundings in any double route) and for the transcendental functions: the
    reference and the simulator each compute in double with libm, so both are within a hair of the
    true value and may round to neighbouring fp32 values near a tie. The hardware itself uses
    unpublished polynomials (§6.3) and is not claimed to match either to the last bit.
* sign and relu of a zero may give either zero sign (§6.3 does not say); log, sqrt and rsqrt of a
  negative give NaN (any NaN accepted).
"""

import math
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "activation_cases.h")
rng = np.random.default_rng(20261207)
f32 = np.float32
F = 32  # free elements per partition in the tables (a test case uses the first F of them)
Q = 4  # partition classes: partition p uses the per-partition operand values of class p % 4


def bits(a):
    return int(np.asarray(a, dtype=np.float32).view(np.uint32))


def sigmoid(x):
    return (1.0 + math.tanh(x / 2.0)) / 2.0


def softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def guard(fn):
    def g(x):
        try:
            return fn(x)
        except (ValueError, ZeroDivisionError, OverflowError):
            return float("nan")
    return g


def rsqrt(x):
    if x == 0:
        return math.copysign(math.inf, x)
    if x < 0:
        return float("nan")
    return 1.0 / math.sqrt(x)


# isa::ActFunc names (act_func_name) -> (float64 function, ulps, zero sign free).
# For the exactly rounded ones the value is computed in float32 by NumPy directly (see below).
FUNCS = [
    ("copy", lambda x: x, 0, False),
    ("relu", lambda x: max(x, 0.0), 0, True),
    ("gelu", lambda x: 0.5 * x * math.erfc(-x / math.sqrt(2.0)), 1, False),
    ("gelu_apprx_tanh",
     lambda x: 0.5 * x * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3))), 1,
     False),
    ("exp", math.exp, 1, False),
    ("tanh", math.tanh, 1, False),
    ("sigmoid", sigmoid, 1, False),
    ("silu", lambda x: x * sigmoid(x), 1, False),
    ("rsqrt", rsqrt, 1, False),
    ("sqrt", None, 0, False),
    ("reciprocal", None, 0, False),
    ("square", None, 0, False),
    ("log", lambda x: -math.inf if x == 0 else math.log(x), 1, False),
    ("abs", abs, 0, False),
    ("sign", lambda x: 1.0 if x > 0 else (-1.0 if x < 0 else 0.0), 0, True),
    ("erf", math.erf, 1, False),
    ("softplus", softplus, 1, False),
]


def apply(name, fn, y):
    """fp32 result of function `name` at the fp32 value y."""
    y = f32(y)
    with np.errstate(all="ignore"):
        if name == "sqrt":
            return np.sqrt(y)
        if name == "reciprocal":
            return f32(1.0) / y
        if name == "square":
            return y * y
    return f32(guard(fn)(float(y)))


# Inputs: m * 2^e with |m| < 16, e in {-4, -3, -2}: exact in bf16, f16 and fp32, |x| < 4.
x = (rng.integers(-15, 16, F) * np.exp2(rng.integers(-4, -1, F))).astype(f32)
x[0], x[1] = f32(0.0), f32(-0.0)
scale_vec = (rng.integers(1, 9, Q) / 4.0).astype(f32)  # 0.25 .. 2
bias_vec = (rng.integers(-8, 9, Q) / 8.0).astype(f32)  # -1 .. 1
SCALE_IMM, BIAS_IMM = f32(0.75), f32(-0.5)

# The test's three instructions: (name, scale, bias); "vec" = the per-partition column.
CASES = [("scale_imm_bias_vec", "imm", "vec"), ("scale_vec_bias_imm", "vec", "imm"),
         ("no_scale_no_bias", None, None)]


def affine(q, f, scale, bias):
    y = x[f]
    if scale == "imm":
        y = f32(y * SCALE_IMM)
    elif scale == "vec":
        y = f32(y * scale_vec[q])
    if bias == "imm":
        y = f32(y + BIAS_IMM)
    elif bias == "vec":
        y = f32(y + bias_vec[q])
    return y


def hexs(vals, per_line=8):
    items = ["0x%08xu" % v for v in vals]
    return ",\n        ".join(", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line))


def emit():
    L = [
        "// GENERATED by tests/oracles/make_activation_cases.py (NumPy) - do not edit.",
        "// Rerun: /usr/bin/python3 tests/oracles/make_activation_cases.py",
        "// Expected fp32 results of activation op(data * scale + bias) (nki-isa-semantics.md",
        "// §10.1, §6.3) from NumPy float32 and Python's math in float64, independently of",
        "// sim/semantics/alu.cpp; see the script for the formulas and the tolerances.",
        "#pragma once",
        "",
        "#include <cstdint>",
        "",
        "// clang-format off",
        "namespace nsim::oracles {",
        "",
        "inline constexpr int kActF = %d;  // free elements per partition in the tables" % F,
        "inline constexpr int kActClasses = %d;  // partition p uses class p %% %d" % (Q, Q),
        "inline constexpr float kActScaleImm = %rf, kActBiasImm = %rf;" %
        (float(SCALE_IMM), float(BIAS_IMM)),
        "inline constexpr uint32_t kActX[%d] = {%s};" % (F, hexs([bits(v) for v in x])),
        "inline constexpr uint32_t kActScaleVec[%d] = {%s};" % (Q, hexs([bits(v) for v in scale_vec])),
        "inline constexpr uint32_t kActBiasVec[%d] = {%s};" % (Q, hexs([bits(v) for v in bias_vec])),
        "",
        "struct ActExpected {",
        "    const char* func;     // isa::act_func_name",
        "    int ulps;             // fp32 ulps allowed before rounding into dst (0: bit-exact)",
        "    bool zero_sign_free;  // a zero result may be +0 or -0",
        "    uint32_t bits[%d][%d];  // [partition class][f] expected fp32 bits" % (Q, F),
        "};",
        "struct ActCase {",
        "    const char* name;",
        "    ActExpected funcs[%d];" % len(FUNCS),
        "};",
        "inline const ActCase kActCases[%d] = {" % len(CASES),
    ]
    for cname, scale, bias in CASES:
        L.append("    {\"%s\", {" % cname)
        for name, fn, ulps, zero_free in FUNCS:
            rows = []
            for q in range(Q):
                rows.append("{%s}" % hexs([bits(apply(name, fn, affine(q, f, scale, bias)))
                                           for f in range(F)]))
            L.append("        {\"%s\", %d, %s,\n         {%s}}," %
                     (name, ulps, "true" if zero_free else "false", ",\n          ".join(rows)))
        L.append("    }},")
    L += ["};", "", "}  // namespace nsim::oracles", "// clang-format on", ""]
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
