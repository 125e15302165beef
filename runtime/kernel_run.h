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
    // One program: a copy on each of `cores` cores. Several (SPMD programs, e.g. one per
    // program_id): program p on core p % cores, a core's programs one after another. Every
    // program declares the same tensors. Sequential programs get their semaphores here.
    std::vector<const isa::Program*> programs;
    std::string kernel_file;  // names the kernel in messages and in the report
    const sim::ChipConfig* chip = nullptr;
    uint32_t cores = 1;  // each core has its own copy of the tensors
    // Bytes of tensors in their dtype: inputs and weights (those without are filled from the
    // seed), and outputs' starting contents (zero without).
    std::map<std::string, std::vector<uint8_t>> inputs;
    sim::RunOptions options;
};

struct KernelRunOutput {
    // Per core, its output tensors after all its programs (not timing only).
    std::vector<std::map<std::string, std::vector<uint8_t>>> outputs;
    std::string summary;      // the text `nsim run` prints
    std::string report_json;  // `nsim run --report`
    std::string trace_json;   // `nsim run --trace`; empty unless options.trace
    size_t race_count = 0;    // races of core 0's first program
};

// Verifies, inserts semaphores into a sequential program, and simulates it in a forked child.
// Throws isa::KernelError for an invalid kernel, InputError for input bytes of the wrong size or
// a name that is not an input, UsageError for more cores than the chip has, and what the
// simulation throws (SimError for a deadlock, ...).
KernelRunOutput run_kernel_isolated(const KernelRunRequest& request);

}  // namespace nsim::runtime
