// The cost rules the instruction families share [src:nki-isa-cost]: element counts, the MIN_II
// floor, strided access and the v3 Vector performance mode. Plain C++.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "isa/instruction.h"
#include "sim/timing/cost_model.h"

namespace nsim::sim {

bool is_16bit_float(isa::DType t);
uint64_t free_size(const isa::AccessPattern* ap);  // 0 for an absent operand
bool unit_inner_stride(const isa::AccessPattern& ap);
// N grows by the strided-access factor when any on-chip operand walks its innermost dim with a
// stride above the limit [src:nki-arch-v2, access pattern: half bandwidth].
uint64_t stream_elements(const isa::Instruction& inst, uint64_t n, const CoreTiming& t);
// stream_elements of the free size of `operand`.
uint64_t operand_elements(const isa::Instruction& inst, const char* operand, const CoreTiming& t);
uint64_t floor_min_ii(uint64_t cycles, const CoreTiming& t);
bool all_in(const std::initializer_list<const isa::AccessPattern*>& aps, isa::MemSpace s);
// Vector perf mode (v3, [src:nki-arch-v3]): full speed-up when in and out are 16-bit floats in
// SBUF with a unit inner stride; half of it when only the types qualify.
uint64_t vector_perf_mode(uint64_t cycles, const isa::AccessPattern* in,
                          const isa::AccessPattern* out, const CoreTiming& t);
// Two tile inputs: N when they come from different memories (separate SBUF and PSUM ports), else
// 2N.
uint64_t two_input_cycles(const isa::AccessPattern* a, const isa::AccessPattern* b, uint64_t n);
// An InstructionCost of `cycles` only.
InstructionCost cycles_cost(uint64_t cycles);

}  // namespace nsim::sim
