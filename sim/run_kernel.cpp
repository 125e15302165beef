#include "sim/run_kernel.h"

#include <fmt/format.h>

#include <utility>

#include "sim/run_system.h"
#include "sim/sim_error.h"

namespace nsim::sim {

RunResult run_kernel(const isa::Program& program, const ChipConfig& chip, DeviceMemory& hbm,
                     const CustomOpRegistry& ops, const RunOptions& options) {
    for (size_t i = 0; i < program.instructions.size(); ++i)
        if (isa::is_collective(program.instructions[i].op))
            throw SimError(fmt::format("instruction #{} ({}): a collective runs on the collective engines of several "
                                       "cores; one NeuronCore alone cannot execute it (see sim/collective_engine.h)",
                                       i, isa::opcode_info(program.instructions[i].op).name));
    std::vector<DeviceMemory> memories;
    memories.push_back(std::move(hbm));
    // The caller's memory comes back whatever happens (its tensors hold the results).
    struct Restore {
        DeviceMemory& to;
        DeviceMemory& from;
        ~Restore() { to = std::move(from); }
    } restore{hbm, memories[0]};
    SystemRunResult r = run_system(chip, 1, {CorePlacement{0, 0, {&program}}}, memories, ops, options);
    RunResult result = std::move(r.cores[0][0]);
    result.host_seconds = r.host_seconds;
    return result;
}

}  // namespace nsim::sim
