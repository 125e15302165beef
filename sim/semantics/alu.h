// The arithmetic of the engines: ALU operators and activation functions on fp32 values, and the
// bit-vector operators on raw integer bits [src:nki-shared].
#pragma once

#include <cstdint>

#include "isa/dtype.h"
#include "isa/enums.h"

namespace nsim::sim {

// An ALU operator on fp32 values. Comparisons and logical operators give 1 or 0; unary
// operators ignore `y`. max/min ignore a NaN operand (std::fmax/fmin): the hardware's NaN rule is
// unpublished. Bit-vector operators are not fp32 operations: use alu_bits.
float alu(isa::AluOp op, float x, float y);

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
