// What `nsim run` tells: the one-screen summary, the JSON report and the Chrome/Perfetto trace.
#pragma once

#include <string>

#include "isa/program.h"
#include "sim/config/chip_config.h"
#include "sim/system/run_system.h"

namespace nsim::runtime {

struct RunContext {
    std::string kernel_file;
    const isa::Program* program = nullptr;  // as simulated (streams form)
    const sim::ChipConfig* chip = nullptr;
    bool timing_only = false;
    double host_seconds = 0;
};

// A run of one kernel on one or more cores of one chip (`nsim run --cores N`): core 0 in full, each
// further core in a line, then the DMA, compute-side SBUF/PSUM and device-memory traffic.
std::string run_summary(const RunContext& ctx, const sim::SystemRunResult& r);
// The JSON report: core 0's figures at the top level, every core under "cores", the chip's
// device memory under "device_memory".
std::string run_report_json(const RunContext& ctx, const sim::SystemRunResult& r);
// Chrome trace JSON (loads in Perfetto and chrome://tracing): a process per core, a row per engine
// and per DMA queue.
std::string chrome_trace_json(const RunContext& ctx, const sim::SystemRunResult& r);

}  // namespace nsim::runtime
