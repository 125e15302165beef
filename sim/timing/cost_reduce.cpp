// Cost of the reductions and batch-norm statistics [src:nki-isa-cost].
#include "sim/timing/cost_families.h"
#include "sim/timing/cost_rules.h"

namespace nsim::sim {

using isa::AluOp;
using isa::DType;
using isa::Instruction;
using isa::Opcode;

namespace {

InstructionCost tensor_reduce_cost(const Instruction& inst, const CoreTiming& t) {
    const auto* data = inst.ap("data");
    const auto* dst = inst.ap("dst");
    const auto op = AluOp(std::get<int64_t>(inst.arg("op")));
    const bool halved = data && dst && data->dtype == DType::bfloat16 &&
                        dst->dtype == DType::bfloat16 && (op == AluOp::add || op == AluOp::maximum);
    const uint64_t n = operand_elements(inst, "data", t);
    return cycles_cost(floor_min_ii(halved ? n / 2 : n, t));
}

// ASSUMPTION: no published cost. GPSIMD_START + N: GpSimd reads one element of every partition
// per cycle (its 8 cores each wired to 16 partitions [src:nki-arch-v2, GpSimd engine]), the folds
// within and across the cores taken as pipelined behind that stream, as iota's and
// affine_select's published GPSIMD_START + N stream their N elements.
InstructionCost tensor_partition_reduce_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(t.gpsimd_start_cycles + operand_elements(inst, "data", t));
}

InstructionCost bn_stats_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(operand_elements(inst, "data", t), t));
}

InstructionCost bn_aggr_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(13 * operand_elements(inst, "data", t) / 3, t));
}

}  // namespace

std::vector<OpcodeCost> reduce_costs() {
    return {{Opcode::tensor_reduce, tensor_reduce_cost},
            {Opcode::tensor_partition_reduce, tensor_partition_reduce_cost},
            {Opcode::bn_stats, bn_stats_cost},
            {Opcode::bn_aggr, bn_aggr_cost}};
}

}  // namespace nsim::sim
