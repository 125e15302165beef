#include "cli/sim_time_arg.h"

#include "sim/core/sim_time.h"

namespace nsim::cli {

void add_max_sim_time_option(CLI::App& sub, double& seconds) {
    sub.add_option(
           "--max-sim-time", seconds,
           "Stop with an error once a simulation passes this many seconds of simulated time")
        ->check(CLI::Range(1e-6, sim::kLatestTimeNs * 1e-9))
        ->capture_default_str();
}

}  // namespace nsim::cli
