// `--max-sim-time SECONDS`, shared by the commands that simulate.
#pragma once

#include <CLI/CLI.hpp>

namespace nsim::cli {

// Each simulation stops with an error past `seconds` of simulated time (a parameter far outside
// the hardware's range would otherwise run on for hours).
void add_max_sim_time_option(CLI::App& sub, double& seconds);

}  // namespace nsim::cli
