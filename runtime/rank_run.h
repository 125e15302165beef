// A kernel run as one copy per rank over the cores of one chip or of an instance's chips (`nsim run
// --cores N`, `nsim run --instance NAME [--ranks N]`): where each rank runs, its inputs and
// outputs, and the check of its collectives' data against a host reference.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "isa/program.h"
#include "runtime/collective_check.h"
#include "sim/config/chip_config.h"
#include "sim/config/instance_config.h"
#include "sim/system/run_system.h"

namespace nsim::runtime {

struct RankRunRequest {
    isa::Program program;  // as written; run_ranks takes it (a sequential one gets semaphores)
    std::string kernel_file;
    sim::ChipConfig chip;                           // the instance's chip with an instance
    const sim::InstanceConfig* instance = nullptr;  // ranks over its chips; nullptr: one chip
    uint32_t ranks = 1;
    // NAME -> FILE.npy for an input or weight tensor, the same file on every rank unless FILE
    // contains "{rank}", which stands for the rank's number (grad_{rank}.npy). Tensors without
    // one are filled from the seed and the rank (rank_seed).
    std::map<std::string, std::string> input_files;
    sim::RunOptions options;
};

// Where a rank runs: rank r is core r % cores of chip r / cores (chip-major, as the collective
// engine numbers ranks).
struct RankPlace {
    uint32_t chip = 0;
    uint32_t core = 0;
};

// Where the host's time went, in seconds: reading and parsing the kernel file (the caller's),
// verifying it, the sync pass, loading inputs and the simulation (its own part of that:
// SystemRunResult::host_seconds).
struct HostPhases {
    double parse = 0;
    double verify = 0;
    double sync = 0;
    double simulate = 0;
};

struct RankRunResult {
    isa::Program program;                // as simulated (streams form)
    sim::SystemRunResult system;         // `cores` in rank order
    std::vector<RankPlace> places;       // per rank
    std::vector<sim::DeviceMemory> hbm;  // per rank, after the run (empty when timing only)
    CollectiveCheck check;               // not checked when timing only
    HostPhases host;                     // verify, sync and simulate (parse: the caller's)
};

// The seed of rank `rank`'s generated inputs: `seed` itself for rank 0, so a one-rank run fills
// its tensors as before, and distinct values on every other rank.
uint64_t rank_seed(uint64_t seed, uint32_t rank);

// The input file of `rank` for a FILE that may contain "{rank}".
std::string rank_file(const std::string& file, uint32_t rank);

// Verifies the kernel (isa::KernelError, naming file:line, also for a group or peer the run's
// ranks do not have), inserts semaphores, places the ranks, loads their inputs and simulates them
// together in this process; with results, checks the outputs (check_collectives). Throws
// UsageError for more ranks than the chip or instance has cores, NpyError for a bad input file,
// and what run_system throws. The program moves from the request into the result, not copied:
// request.program is left empty.
RankRunResult run_ranks(RankRunRequest& request);

}  // namespace nsim::runtime
