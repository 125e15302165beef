#include "sim/run_kernel.h"

#include <chrono>
#include <systemc>

#include "sim/collective_guard.h"
#include "sim/neuron_core.h"
#include "sim/sim_error.h"

namespace nsim::sim {

RunResult run_kernel(const isa::Program& program, const ChipConfig& chip, DeviceMemory& hbm,
                     const CustomOpRegistry& ops, const RunOptions& options) {
    static bool simulated = false;
    if (simulated) throw SimError("one simulation per process: SystemC cannot elaborate a second core");
    simulated = true;
    reject_collectives(program);
    // Femtoseconds: engine cycles at GHz clocks are not whole picoseconds. Set before any sc_time.
    sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
    // An error inside an engine stops the simulation (NeuronCore::fail): no SystemC notice for it.
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    const auto host_start = std::chrono::steady_clock::now();
    BandwidthServer device_memory(chip.device_memory.bandwidth_gbps);  // GB/s = bytes per ns
    NeuronCore core("core0", program, chip, hbm, ops, options, device_memory);
    sc_core::sc_start();
    RunResult result = core.finish();
    result.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
    return result;
}

}  // namespace nsim::sim
