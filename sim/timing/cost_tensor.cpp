// Cost of the instructions that move data across partitions [src:nki-isa-cost, nc_matmul]:
// matmul, transpose, and the Vector engine's partition shuffle.
#include <algorithm>

#include "sim/timing/cost_families.h"
#include "sim/timing/cost_rules.h"

namespace nsim::sim {

using isa::DType;
using isa::Instruction;
using isa::Opcode;

namespace {

InstructionCost matmul_cost(const Instruction& inst, const CoreTiming& t) {
    const auto* st = inst.ap("stationary");
    const auto* mv = inst.ap("moving");
    const uint64_t n_stat = free_size(st), n_mov = free_size(mv);
    const bool fp32 = (st && st->dtype == DType::float32) || (mv && mv->dtype == DType::float32);
    const uint64_t factor = fp32 ? t.fp32_matmul_factor : 1;
    InstructionCost c;
    c.cycles = factor * std::max<uint64_t>(std::min<uint64_t>(t.matmul_min_cycles, n_stat), n_mov);
    c.load_stationary_cycles =
        factor * ((n_stat + t.load_stationary_speedup - 1) / t.load_stationary_speedup);
    return c;
}

InstructionCost transpose_cost(const Instruction& inst, const CoreTiming& t) {
    const auto* data = inst.ap("data");
    if (inst.engine == isa::Engine::tensor)  // max(P, min(64, F)) back to back
        return cycles_cost(
            std::max<uint64_t>(data ? data->num_partitions : 0,
                               std::min<uint64_t>(t.matmul_min_cycles, free_size(data))));
    return cycles_cost(floor_min_ii(operand_elements(inst, "data", t), t));
}

// max(MIN_II, N) [src:nki-isa-cost, nc_stream_shuffle].
InstructionCost stream_shuffle_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(operand_elements(inst, "src", t), t));
}

}  // namespace

std::vector<OpcodeCost> tensor_costs() {
    return {{Opcode::nc_matmul, matmul_cost},
            {Opcode::nc_transpose, transpose_cost},
            {Opcode::nc_stream_shuffle, stream_shuffle_cost}};
}

}  // namespace nsim::sim
