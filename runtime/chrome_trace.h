// Chrome/Perfetto trace JSON of simulated runs: a process per core, a row per engine and per DMA
// queue, a bar per instruction or transfer (the layout of neuron-profile's timeline).
#pragma once

#include <string>
#include <vector>

#include "sim/system/run_kernel.h"

namespace nsim::runtime {

struct TracedCore {
    std::string name;         // "trn1 core 0", "chip1/core2 stage 5"
    std::string kernel_file;  // named in each bar's arguments; empty for built programs
    const sim::RunResult* result = nullptr;
};

std::string chrome_trace_json(const std::vector<TracedCore>& cores);

}  // namespace nsim::runtime
