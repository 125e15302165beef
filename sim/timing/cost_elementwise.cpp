// Cost of the elementwise instructions on Vector, Scalar and GpSimd [src:nki-isa-cost].
#include <algorithm>

#include "sim/timing/cost_families.h"
#include "sim/timing/cost_rules.h"

namespace nsim::sim {

using isa::AluOp;
using isa::DType;
using isa::Instruction;
using isa::MemSpace;
using isa::Opcode;

namespace {

InstructionCost activation_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(operand_elements(inst, "data", t), t) +
                       (inst.has("reduce_res") ? t.read_accumulator_cycles : 0));
}

// max(MIN_II, N) + MIN_II: Activate then ActReadAccumulator [src:nki-isa-cost, activation_reduce].
InstructionCost activation_reduce_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(operand_elements(inst, "data", t), t) + t.min_ii_cycles);
}

InstructionCost tensor_tensor_cost(const Instruction& inst, const CoreTiming& t) {
    const auto* d1 = inst.ap("data1");
    const auto* d2 = inst.ap("data2");
    const auto* dst = inst.ap("dst");
    const uint64_t n = stream_elements(inst, free_size(d1), t);
    const auto op = AluOp(std::get<int64_t>(inst.arg("op")));
    const bool split_memories = d1 && d2 && d1->space != d2->space;
    const bool fast_bf16 = all_in({d1, d2}, MemSpace::sbuf) && dst &&
                           d1->dtype == DType::bfloat16 && d2->dtype == DType::bfloat16 &&
                           dst->dtype == DType::bfloat16 &&
                           (op == AluOp::add || op == AluOp::multiply || op == AluOp::subtract) &&
                           unit_inner_stride(*d1) && unit_inner_stride(*d2);
    uint64_t cycles = floor_min_ii(split_memories || fast_bf16 ? n : 2 * n, t);
    if (t.vector_perf_mode_factor > 1 && all_in({d1, d2}, MemSpace::sbuf) &&
        is_16bit_float(d1->dtype) && is_16bit_float(d2->dtype))
        cycles =
            std::max<uint64_t>(1, cycles / 2);  // tensor_tensor 2x in bf16/fp16 [src:nki-arch-v3]
    return cycles_cost(cycles);
}

// One input streamed to dst, with the v3 Vector performance mode.
InstructionCost one_input_cost(const Instruction& inst, const char* in, const CoreTiming& t) {
    uint64_t cycles = floor_min_ii(operand_elements(inst, in, t), t);
    if (inst.engine == isa::Engine::vector)
        cycles = vector_perf_mode(cycles, inst.ap(in), inst.ap("dst"), t);
    return cycles_cost(cycles);
}

InstructionCost tensor_scalar_cost(const Instruction& inst, const CoreTiming& t) {
    return one_input_cost(inst, "data", t);
}

InstructionCost tensor_copy_cost(const Instruction& inst, const CoreTiming& t) {
    return one_input_cost(inst, "src", t);
}

InstructionCost reciprocal_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(
        floor_min_ii(uint64_t(t.reciprocal_factor) * operand_elements(inst, "data", t), t));
}

// Two passes per element, max(MIN_II, 2N) [src:nki-isa, tensor_tensor_scan].
InstructionCost tensor_tensor_scan_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(2 * operand_elements(inst, "data0", t), t));
}

// N for bf16 data and operand1 with subtract then multiply over an even N, else 2N [src:nki-isa,
// scalar_tensor_tensor].
InstructionCost scalar_tensor_tensor_cost(const Instruction& inst, const CoreTiming& t) {
    const uint64_t n = operand_elements(inst, "data", t);
    const auto* data = inst.ap("data");
    const auto* operand1 = inst.ap("operand1");
    const bool fast = data && operand1 && data->dtype == DType::bfloat16 &&
                      operand1->dtype == DType::bfloat16 &&
                      AluOp(std::get<int64_t>(inst.arg("op0"))) == AluOp::subtract &&
                      AluOp(std::get<int64_t>(inst.arg("op1"))) == AluOp::multiply && n % 2 == 0;
    return cycles_cost(floor_min_ii(fast ? n : 2 * n, t));
}

// max(MIN_II, N) + MIN_II [src:nki-isa-cost, tensor_scalar_reduce].
InstructionCost tensor_scalar_reduce_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(operand_elements(inst, "data", t), t) + t.min_ii_cycles);
}

InstructionCost memset_cost(const Instruction& inst, const CoreTiming& t) {
    const auto* dst = inst.ap("dst");
    const bool zero16 =
        dst && is_16bit_float(dst->dtype) && std::get<double>(inst.arg("value")) == 0.0;
    const uint64_t n = operand_elements(inst, "dst", t);
    return cycles_cost(floor_min_ii(zero16 ? n / 2 : n, t));
}

}  // namespace

std::vector<OpcodeCost> elementwise_costs() {
    return {{Opcode::activation, activation_cost},
            {Opcode::tensor_tensor, tensor_tensor_cost},
            {Opcode::tensor_scalar, tensor_scalar_cost},
            {Opcode::tensor_copy, tensor_copy_cost},
            {Opcode::reciprocal, reciprocal_cost},
            {Opcode::memset, memset_cost},
            {Opcode::tensor_tensor_scan, tensor_tensor_scan_cost},
            {Opcode::scalar_tensor_tensor, scalar_tensor_tensor_cost},
            {Opcode::tensor_scalar_reduce, tensor_scalar_reduce_cost},
            {Opcode::activation_reduce, activation_reduce_cost}};
}

}  // namespace nsim::sim
