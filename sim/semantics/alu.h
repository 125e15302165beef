// The arithmetic of the engines: ALU operators and activation functions on fp32 values, and the
// bit-vector operators on raw integer bits [src:nki-shared].
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "isa/dtype.h"
#include "isa/enums.h"

namespace nsim::sim {

// An ALU operator on fp32 values. Comparisons and logical operators give 1 or 0; unary
// operators ignore `y`. max/min ignore a NaN operand (std::fmax/fmin): the hardware's NaN rule is
// unpublished. Bit-vector operators are not fp32 operations: use alu_bits.
float alu(isa::AluOp op, float x, float y);

// x86's NaN rule for x op y, which alu() has always followed (its x is the instruction's first
// operand): a NaN result from a NaN operand is x quieted if x is NaN, else y quieted. Explicit,
// because a compiler may swap the operands of a commutative operation in a vectorised loop.
inline float first_nan(float r, float x, float y) {
    if (!std::isnan(r)) return r;
    const auto quieted = [](float v) {
        uint32_t u;
        std::memcpy(&u, &v, sizeof u);
        u |= 0x400000u;
        std::memcpy(&v, &u, sizeof v);
        return v;
    };
    return std::isnan(x) ? quieted(x) : std::isnan(y) ? quieted(y) : r;
}

// std::fmax and std::fmin as glibc's calls give them (an inline expansion may return the other
// zero of +0 and -0, or the other NaN).
float call_fmax(float x, float y);
float call_fmin(float x, float y);

// body(fn) for fn(x, y) = alu(op, x, y): the operator is chosen once, so that a loop over elements
// inside `body` is compiled per operator with the operation inlined, not dispatched per element.
// A bit-vector operator gets alu's NaN.
template <class Body>
decltype(auto) with_alu(isa::AluOp op, Body&& body) {
    using isa::AluOp;
    const auto b = [](bool v) { return v ? 1.0f : 0.0f; };
    switch (op) {
        case AluOp::add:
            return body([](float x, float y) { return first_nan(x + y, x, y); });
        case AluOp::subtract:
            return body([](float x, float y) { return first_nan(x - y, x, y); });
        case AluOp::multiply:
            return body([](float x, float y) { return first_nan(x * y, x, y); });
        case AluOp::divide:
            return body([](float x, float y) { return first_nan(x / y, x, y); });
        case AluOp::maximum:
            return body([](float x, float y) { return call_fmax(x, y); });
        case AluOp::minimum:
            return body([](float x, float y) { return call_fmin(x, y); });
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
            return body([](float x, float) { return call_fmax(x, 0.0f); });
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

// body(fn) for fn(x) = activation_function(f, x), the function chosen once (as with_alu).
template <class Body>
decltype(auto) with_activation(isa::ActFunc f, Body&& body) {
    using isa::ActFunc;
    // Each computes in double and rounds once to fp32.
    const auto in_double = [&](auto g) {
        return body([g](float x) { return float(g(double(x))); });
    };
    const auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
    switch (f) {
        case ActFunc::copy:
            return body([](float x) { return x; });
        case ActFunc::relu:
            return in_double([](double x) { return x > 0 ? x : 0.0; });
        case ActFunc::gelu:
            return in_double(
                [](double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); });
        case ActFunc::gelu_tanh:
            return in_double([](double x) {
                const double kPi = 3.14159265358979323846;
                return 0.5 * x *
                       (1.0 + std::tanh(std::sqrt(2.0 / kPi) * (x + 0.044715 * x * x * x)));
            });
        case ActFunc::exp:
            return in_double([](double x) { return std::exp(x); });
        case ActFunc::tanh:
            return in_double([](double x) { return std::tanh(x); });
        case ActFunc::sigmoid:
            return in_double(sigmoid);
        case ActFunc::silu:
            return in_double([sigmoid](double x) { return x * sigmoid(x); });
        case ActFunc::rsqrt:
            return in_double([](double x) { return 1.0 / std::sqrt(x); });
        case ActFunc::sqrt:
            return in_double([](double x) { return std::sqrt(x); });
        case ActFunc::reciprocal:
            return in_double([](double x) { return 1.0 / x; });
        case ActFunc::square:
            return in_double([](double x) { return x * x; });
        case ActFunc::log:
            return in_double([](double x) { return std::log(x); });
        case ActFunc::abs:
            return in_double([](double x) { return std::fabs(x); });
        case ActFunc::sign:
            return in_double([](double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : x); });
        case ActFunc::erf:
            return in_double([](double x) { return std::erf(x); });
        case ActFunc::softplus:
            return in_double([](double x) { return x > 30 ? x : std::log1p(std::exp(x)); });
    }
    return body([](float) { return 0.0f; });  // not reached: every ActFunc is above
}

}  // namespace nsim::sim
