// The cost model: how many engine cycles an instruction occupies its engine, from the published
// NKI cost formulas [src:nki-isa-cost]. Plain C++: no SystemC, unit-tested alone.
#pragma once

#include <cstdint>

#include "isa/instruction.h"
#include "sim/timing/core_timing.h"

namespace nsim::sim {

// The cost of one instruction on its engine, in that engine's cycles.
struct InstructionCost {
    uint64_t cycles = 0;                  // initiation interval when instructions run back to back
    uint64_t load_stationary_cycles = 0;  // nc_matmul only: LoadStationary, hidden behind the
                                          // previous MultiplyMoving when back to back
};

// The published formula for `inst` (a dma_copy costs 0 here: the DMA model times it; a custom_op
// costs what its registered cost function says, not this). Assumes operands passed the verifier.
InstructionCost instruction_cost(const isa::Instruction& inst, const CoreTiming& timing);

// The clock (GHz) of the engine an instruction runs on.
double engine_clock_ghz(isa::Engine engine, const CoreTiming& timing);

// Cycles of an engine clock to nanoseconds.
inline double cycles_to_ns(uint64_t cycles, double clock_ghz) { return double(cycles) / clock_ghz; }

}  // namespace nsim::sim
