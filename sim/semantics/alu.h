// The arithmetic of the engines: ALU operators and activation functions on fp32 values, and the
// bit-vector operators on raw integer bits [src:nki-shared].
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "isa/dtype.h"
#include "isa/enums.h"

namespace nsim::sim {

// An ALU operator on fp32 values. Comparisons and logical operators give 1 or 0; unary
// operators ignore `y`. max/min ignore a NaN operand (std::fmax/fmin): the hardware's NaN rule is
// unpublished. Bit-vector operators are not fp32 operations: use alu_bits.
float alu(isa::AluOp op, float x, float y);

// body(fn) for fn(x, y) = alu(op, x, y): the operator is chosen once, so that a loop over elements
// inside `body` is compiled per operator with the operation inlined, not dispatched per element.
// A bit-vector operator gets alu's NaN.
template <class Body>
decltype(auto) with_alu(isa::AluOp op, Body&& body) {
    using isa::AluOp;
    const auto b = [](bool v) { return v ? 1.0f : 0.0f; };
    switch (op) {
        case AluOp::add:
            return body([](float x, float y) { return x + y; });
        case AluOp::subtract:
            return body([](float x, float y) { return x - y; });
        case AluOp::multiply:
            return body([](float x, float y) { return x * y; });
        case AluOp::divide:
            return body([](float x, float y) { return x / y; });
        case AluOp::maximum:
            return body([](float x, float y) { return std::fmax(x, y); });
        case AluOp::minimum:
            return body([](float x, float y) { return std::fmin(x, y); });
        case AluOp::power:
            return body([](float x, float y) { return std::pow(x, y); });
        case AluOp::equal:
            return body([b](float x, float y) { return b(x == y); });
        case AluOp::not_equal:
            return body([b](float x, float y) { return b(x != y); });
        case AluOp::greater:
            return body([b](float x, float y) { return b(x > y); });
        case AluOp::greater_equal:
            return body([b](float x, float y) { return b(x >= y); });
        case AluOp::less:
            return body([b](float x, float y) { return b(x < y); });
        case AluOp::less_equal:
            return body([b](float x, float y) { return b(x <= y); });
        case AluOp::logical_and:
            return body([b](float x, float y) { return b(x != 0 && y != 0); });
        case AluOp::logical_or:
            return body([b](float x, float y) { return b(x != 0 || y != 0); });
        case AluOp::logical_xor:
            return body([b](float x, float y) { return b((x != 0) != (y != 0)); });
        case AluOp::logical_not:
            return body([b](float x, float) { return b(x == 0); });
        case AluOp::abs:
            return body([](float x, float) { return std::fabs(x); });
        case AluOp::square:
            return body([](float x, float) { return x * x; });
        case AluOp::relu:
            return body([](float x, float) { return std::fmax(x, 0.0f); });
        case AluOp::rsqrt:
            return body([](float x, float) { return float(1.0 / std::sqrt(double(x))); });
        case AluOp::reciprocal:
            return body([](float x, float) { return 1.0f / x; });
        case AluOp::bypass:
            return body([](float x, float) { return x; });
        default:  // raw-bit operators: alu_bits
            return body([](float, float) { return std::numeric_limits<float>::quiet_NaN(); });
    }
}

// A bit-vector operator (bitwise and/or/xor/not, shifts) on the raw bits of dtype `t`; shifts by
// the integer value of y, zero-filling (logical right shift: arithmetic shift is not supported
// [src:nki-shared]); a shift by the width or more gives 0.
uint32_t alu_bits(isa::AluOp op, uint32_t x, uint32_t y, isa::DType t);

// The identity of a reducible operator: 0 for add/subtract/or/xor, 1 for multiply and logical and,
// -inf for maximum, +inf for minimum.
float alu_identity(isa::AluOp op);
uint32_t alu_identity_bits(isa::AluOp op, isa::DType t);  // bitwise_and: all ones of the width

// An activation function, computed in double precision and rounded once to fp32. The
// hardware evaluates piecewise polynomials whose coefficients are unpublished, so its results
// differ from these in the last bits (and are invalid outside each function's valid range).
float activation_function(isa::ActFunc f, float x);

}  // namespace nsim::sim
