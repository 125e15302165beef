// What `nsim run` tells: the one-screen summary, the JSON report and the Chrome/Perfetto trace.
#pragma once

#include <string>

#include "isa/program.h"
#include "sim/chip_config.h"
#include "sim/run_kernel.h"

namespace nsim::cli {

struct RunContext {
    std::string kernel_file;
    const isa::Program* program = nullptr;  // as simulated (streams form)
    const sim::ChipConfig* chip = nullptr;
    bool timing_only = false;
    double host_seconds = 0;
};

std::string run_summary(const RunContext& ctx, const sim::RunResult& r);
std::string run_report_json(const RunContext& ctx, const sim::RunResult& r);
// Chrome trace JSON (loads in Perfetto and chrome://tracing): a row per engine and per DMA queue.
std::string chrome_trace_json(const RunContext& ctx, const sim::RunResult& r);
// One line per race, naming both instructions, their agents and the bytes.
std::string describe_race(const sim::Race& race);

}  // namespace nsim::cli
