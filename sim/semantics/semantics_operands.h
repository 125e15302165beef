// Typed access to an instruction's operands for the semantics files (internal to sim/; values are
// stored as opcode_table.h's ArgKind says: enums as int64_t, immediates as double).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "isa/error.h"
#include "isa/instruction.h"
#include "sim/semantics/core_state.h"

namespace nsim::sim::ops {

// Throws SimError naming the instruction's opcode: "<opcode>: <what>". For inconsistencies the
// verifier normally rejects, so that a bad program cannot index out of bounds.
[[noreturn]] inline void operand_error(const isa::Instruction& inst, const std::string& what) {
    throw SimError(std::string(isa::opcode_info(inst.op).name) + ": " + what);
}

// A required access-pattern operand; SimError if absent (the verifier normally rejects that).
inline const isa::AccessPattern& ap_operand(const isa::Instruction& inst, std::string_view name) {
    const isa::AccessPattern* ap = inst.ap(name);
    if (!ap) operand_error(inst, "operand '" + std::string(name) + "' is not an access pattern");
    return *ap;
}

// An optional operand of kind T, or `fallback` when absent.
template <class T>
T operand_or(const isa::Instruction& inst, std::string_view name, T fallback) {
    const T* v = std::get_if<T>(&inst.arg(name));
    return v ? *v : fallback;
}

inline bool flag_operand(const isa::Instruction& inst, std::string_view name) {
    return operand_or<bool>(inst, name, false);
}

inline int64_t int_operand(const isa::Instruction& inst, std::string_view name,
                           int64_t fallback = 0) {
    return operand_or<int64_t>(inst, name, fallback);
}

// An enum operand (AluOp, ReduceCmd, ...), stored as its int64_t value.
template <class E>
E enum_operand(const isa::Instruction& inst, std::string_view name, E fallback) {
    return E(operand_or<int64_t>(inst, name, int64_t(fallback)));
}

// The sum i_1*step_1 + ... + i_n*step_n of an iota/affine_select pattern for every index tuple,
// row-major (last entry fastest; [src:nki-isa, iota]). An empty pattern has one element, 0.
inline std::vector<int64_t> pattern_index_sums(const std::vector<isa::FreeDim>& pattern) {
    std::vector<int64_t> sums{0};
    for (const isa::FreeDim& d : pattern) {
        std::vector<int64_t> next;
        next.reserve(sums.size() * d.num);
        for (int64_t s : sums)
            for (uint32_t i = 0; i < d.num; ++i) next.push_back(s + int64_t(i) * d.step);
        sums = std::move(next);
    }
    return sums;
}

// Activation scale/bias, tensor_scalar operands, dropout's prob: fp32 immediate broadcast over the
// partitions or a [P, 1] tile read per partition; `absent` when the operand is not given.
inline std::vector<float> per_partition(const CoreState& s, const isa::ArgValue& v,
                                        uint32_t partitions, float absent) {
    if (const auto* ap = isa::pattern_of(v)) {
        const Tile t = read_tile(s, *ap);
        std::vector<float> out(partitions);
        for (uint32_t p = 0; p < partitions; ++p) out[p] = t.at(p, 0);
        return out;
    }
    const double* imm = std::get_if<double>(&v);
    return std::vector<float>(partitions, imm ? float(*imm) : absent);
}

// Wraps a value to int32 as two's-complement int32 arithmetic would.
inline int32_t wrap_int32(int64_t v) { return int32_t(uint32_t(uint64_t(v))); }

}  // namespace nsim::sim::ops
