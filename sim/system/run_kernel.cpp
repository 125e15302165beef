#include "sim/system/run_kernel.h"

#include <utility>

#include "sim/system/run_system.h"

namespace nsim::sim {

RunResult run_kernel(const isa::Program& program, const ChipConfig& chip, DeviceMemory& hbm,
                     const CustomOpRegistry& ops, const RunOptions& options) {
    std::vector<DeviceMemory> memories;
    memories.push_back(std::move(hbm));
    // The caller's memory comes back whatever happens (its tensors hold the results).
    struct Restore {
        DeviceMemory& to;
        DeviceMemory& from;
        ~Restore() { to = std::move(from); }
    } restore{hbm, memories[0]};
    SystemRunResult r =
        run_system(chip, 1, {CorePlacement{0, 0, {&program}}}, memories, ops, options);
    RunResult result = std::move(r.cores[0][0]);
    result.host_seconds = r.host_seconds;
    return result;
}

}  // namespace nsim::sim
