// Instructions whose issuing engine only triggers them: nothing on the engine here. The DMA model
// times dma_copy and dma_transpose, the collective engine (sim/collective/collective_engine.h) the
// collectives, and a custom_op costs what its operator's own cost function says (custom_ops.h, in
// NeuronCore).
#include "sim/timing/cost_families.h"
#include "sim/timing/cost_rules.h"

namespace nsim::sim {

using isa::Opcode;

namespace {

InstructionCost timed_elsewhere(const isa::Instruction&, const CoreTiming&) { return {}; }

}  // namespace

std::vector<OpcodeCost> offloaded_costs() {
    return {{Opcode::dma_copy, timed_elsewhere},       {Opcode::dma_transpose, timed_elsewhere},
            {Opcode::all_reduce, timed_elsewhere},     {Opcode::all_gather, timed_elsewhere},
            {Opcode::reduce_scatter, timed_elsewhere}, {Opcode::send, timed_elsewhere},
            {Opcode::recv, timed_elsewhere},           {Opcode::custom_op, timed_elsewhere}};
}

}  // namespace nsim::sim
