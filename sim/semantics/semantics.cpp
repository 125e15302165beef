#include "sim/semantics/semantics.h"

#include "sim/core/instruction_registry.h"
#include "sim/semantics/semantics_ops.h"

namespace nsim::sim {

void execute(const isa::Instruction& inst, isa::Generation gen, CoreState& state,
             const CustomOpRegistry& ops_registry) {
    ops::Context c{inst, gen, state, ops_registry};
    // Null for the opcodes another part of the chip computes (InstructionContract::none_because).
    if (const SemanticsFn run = instruction_registry()[inst.op].semantics) run(c);
}

}  // namespace nsim::sim
