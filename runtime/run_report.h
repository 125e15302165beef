// What `nsim run` tells: the one-screen summary, the JSON report and the Chrome/Perfetto trace.
#pragma once

#include <string>

#include "isa/program.h"
#include "runtime/rank_run.h"
#include "sim/config/chip_config.h"
#include "sim/system/run_system.h"

namespace nsim::runtime {

struct RunContext {
    std::string kernel_file;
    const isa::Program* program = nullptr;  // as simulated (streams form)
    const sim::ChipConfig* chip = nullptr;
    bool timing_only = false;
    double host_seconds = 0;
    // A run over ranks (run_ranks): where each core of the result ran, the instance (empty: one
    // chip) and the check of the collectives' data; without, core c is core c of chip 0.
    const std::vector<RankPlace>* places = nullptr;
    std::string instance;
    const CollectiveCheck* check = nullptr;
    const HostPhases* host_phases = nullptr;  // where host_seconds went, when known
};

// A run of one kernel on one or more cores of one chip or of an instance (`nsim run --cores N`,
// `--instance NAME`): core 0 in full, then a table of every rank (time, collectives, roofline),
// each chip's device-memory traffic and the check of the collectives' data.
std::string run_summary(const RunContext& ctx, const sim::SystemRunResult& r);
// The JSON report: core 0's figures at the top level, every core under "cores", the chip's
// device memory under "device_memory".
std::string run_report_json(const RunContext& ctx, const sim::SystemRunResult& r);
// Chrome trace JSON (loads in Perfetto and chrome://tracing): a process per core, a row per engine
// and per DMA queue.
std::string chrome_trace_json(const RunContext& ctx, const sim::SystemRunResult& r);

}  // namespace nsim::runtime
