// Cost of the predicated copies and GpSimd's index patterns [src:nki-isa-cost].
#include "sim/timing/cost_families.h"
#include "sim/timing/cost_rules.h"

namespace nsim::sim {

using isa::Instruction;
using isa::Opcode;

namespace {

InstructionCost copy_predicated_cost(const Instruction& inst, const CoreTiming& t) {
    const uint64_t n = operand_elements(inst, "dst", t);
    if (!inst.ap("src")) return cycles_cost(floor_min_ii(n, t));  // immediate source: one input
    return cycles_cost(floor_min_ii(two_input_cycles(inst.ap("src"), inst.ap("predicate"), n), t));
}

// ASSUMPTION: no published formula; costed like tensor_copy_predicated (two tile inputs), plus
// the accumulator read-out when reduce_res is written.
InstructionCost select_reduce_cost(const Instruction& inst, const CoreTiming& t) {
    const uint64_t n = operand_elements(inst, "dst", t);
    return cycles_cost(
        floor_min_ii(two_input_cycles(inst.ap("on_true"), inst.ap("predicate"), n), t) +
        (inst.has("reduce_res") ? t.read_accumulator_cycles : 0));
}

// max(MIN_II, N) [src:nki-isa-cost, range_select].
InstructionCost range_select_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(operand_elements(inst, "on_true_tile", t), t));
}

// max(MIN_II, N) [src:nki-isa-cost, dropout].
InstructionCost dropout_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(operand_elements(inst, "data", t), t));
}

// iota, affine_select: GPSIMD_START plus one cycle per element.
InstructionCost pattern_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(t.gpsimd_start_cycles + operand_elements(inst, "dst", t));
}

}  // namespace

std::vector<OpcodeCost> select_costs() {
    return {{Opcode::tensor_copy_predicated, copy_predicated_cost},
            {Opcode::select_reduce, select_reduce_cost},
            {Opcode::range_select, range_select_cost},
            {Opcode::dropout, dropout_cost},
            {Opcode::iota, pattern_cost},
            {Opcode::affine_select, pattern_cost}};
}

}  // namespace nsim::sim
