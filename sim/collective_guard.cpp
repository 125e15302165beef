// Rejecting collective instructions where no collective engine runs them.
#include "sim/collective_guard.h"

#include <fmt/format.h>

#include "sim/sim_error.h"

namespace nsim::sim {

void reject_collectives(const isa::Program& program) {
    for (size_t i = 0; i < program.instructions.size(); ++i)
        if (isa::is_collective(program.instructions[i].op))
            throw SimError(fmt::format("instruction #{} ({}): a collective runs on the collective engines of several "
                                       "cores; one NeuronCore alone cannot execute it (see sim/collective_engine.h)",
                                       i, isa::opcode_info(program.instructions[i].op).name));
}

}  // namespace nsim::sim
