// Running a kernel on one simulated NeuronCore: the entry point of `nsim run` and of tests.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "isa/program.h"
#include "sim/checks/race_detector.h"
#include "sim/config/chip_config.h"
#include "sim/memory/memory_report.h"
#include "sim/semantics/core_state.h"
#include "sim/semantics/custom_ops.h"
#include "sim/semantics/host_memory.h"

namespace nsim::sim {

enum class RaceMode : uint8_t { error, warn, off };

// The default budget of simulated time: a kernel, a model stage or a training step takes
// milliseconds; 1000 s means a parameter far outside the hardware's range, not a long kernel.
inline constexpr double kDefaultMaxSimTimeNs = 1e12;

struct RunOptions {
    bool timing_only = false;  // skip the semantics: timing, races and checks only
    // The run stops with an error past this simulated time (at most kLatestTimeNs, sim_time.h).
    double max_sim_time_ns = kDefaultMaxSimTimeNs;
    // A run with results is refused up front past this much host memory (host_memory.h).
    uint64_t max_host_bytes = kDefaultMaxHostBytes;
    RaceMode races = RaceMode::error;
    uint64_t seed = 1;   // stochastic rounding
    bool trace = false;  // record the timeline
    // Engines run ahead of SystemC's time where nothing can tell (engine.h); off, an engine waits
    // once per instruction. The results are the same: tests compare the two.
    bool run_ahead = true;
};

struct EngineReport {
    uint64_t instructions = 0;
    double busy_ns = 0;            // time spent executing instructions
    double semaphore_wait_ns = 0;  // time spent waiting on semaphores
};

// Bytes the compute engines read and wrote in SBUF and PSUM (DMA traffic is in DmaReport).
struct OnChipTraffic {
    uint64_t sbuf_read_bytes = 0;
    uint64_t sbuf_write_bytes = 0;
    uint64_t psum_read_bytes = 0;
    uint64_t psum_write_bytes = 0;
};

// One bar of the timeline: an instruction on an engine, or a transfer on a DMA queue.
struct TraceEvent {
    std::string row;  // "tensor", "vector", ..., "dma q0"
    std::string name;
    unsigned line = 0;  // kernel line, 0 for built programs
    double start_ns = 0;
    double duration_ns = 0;
};

// The collectives a core issued (collective engine, sim/collective/).
struct CollectiveReport {
    uint64_t issued = 0;  // all_reduce, all_gather, reduce_scatter, send, recv instructions
    uint64_t bytes = 0;   // their sizes as CollectiveRequest counts them (nccl-tests' convention)
    double busy_ns = 0;   // time at least one of them was in flight, issue to completion
    // The largest analytic time of one of them (CollectiveEngine::bound_ns, what `nsim
    // collective` prints as its bound: exact for a ring, an estimate for hier and torus2d that
    // the simulation may beat).
    double analytic_ns = 0;
};

struct RunResult {
    double time_ns =
        0;  // simulated time from the program's start until its last engine and transfer finished
    double start_ns = 0,
           end_ns = 0;  // when the program started and finished (0 and time_ns for run_kernel)
    uint64_t instructions = 0;
    std::array<EngineReport, isa::kEngineCount> engines{};
    DmaReport dma;
    OnChipTraffic compute;  // the engines' own SBUF/PSUM traffic
    CollectiveReport collectives;
    std::vector<Race> races;  // the first ones found
    size_t race_count = 0;
    std::vector<std::string> uninitialized_reads;  // the first ones found
    std::vector<TraceEvent> trace;
    double host_seconds = 0;  // host time of the simulation itself (elaboration to report)
};

// Simulates `program` (streams form: each engine's instructions with their semaphores) on core 0
// of `chip`, reading and writing `hbm` (run_system with one placement; see run_system.h for many
// cores and chips). One simulation per process: SystemC cannot elaborate twice.
// Throws SimError for a deadlock (naming every waiting engine, its semaphore and value, and the
// simulated time) and for a custom operator that is not registered.
RunResult run_kernel(const isa::Program& program, const ChipConfig& chip, DeviceMemory& hbm,
                     const CustomOpRegistry& ops, const RunOptions& options);

}  // namespace nsim::sim
