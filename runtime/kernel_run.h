// Running one kernel with the caller's input values and collecting all it produced, in a process
// of its own (SystemC elaborates once per process), so a host program (the Python package) can
// run kernel after kernel.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "isa/program.h"
#include "sim/config/chip_config.h"
#include "sim/system/run_kernel.h"

namespace nsim::runtime {

struct KernelRunRequest {
    const isa::Program* program = nullptr;  // verified; sequential programs get their semaphores
    std::string kernel_file;                // names the kernel in messages and in the report
    const sim::ChipConfig* chip = nullptr;
    uint32_t cores = 1;  // copies of the kernel on cores 0..cores-1, each with its own tensors
    // Bytes of input/weight tensors in their dtype; tensors without any are filled from the seed.
    std::map<std::string, std::vector<uint8_t>> inputs;
    sim::RunOptions options;
};

struct KernelRunOutput {
    std::map<std::string, std::vector<uint8_t>>
        outputs;              // core 0's output tensors (not timing only)
    std::string summary;      // the text `nsim run` prints
    std::string report_json;  // `nsim run --report`
    std::string trace_json;   // `nsim run --trace`; empty unless options.trace
    size_t race_count = 0;    // races on core 0 (the same kernel runs on every core)
};

// Verifies, inserts semaphores into a sequential program, and simulates it in a forked child.
// Throws isa::KernelError for an invalid kernel, InputError for input bytes of the wrong size or
// a name that is not an input, UsageError for more cores than the chip has, and what the
// simulation throws (SimError for a deadlock, ...).
KernelRunOutput run_kernel_isolated(const KernelRunRequest& request);

}  // namespace nsim::runtime
