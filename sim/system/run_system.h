// Running programs on several NeuronCores of one or more chips at once, in one simulation: the
// runtime's entry point (data and pipeline parallel models) and `nsim run --cores N`.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/program.h"
#include "sim/config/chip_config.h"
#include "sim/config/instance_config.h"
#include "sim/memory/memory_report.h"
#include "sim/semantics/core_state.h"
#include "sim/semantics/custom_ops.h"
#include "sim/system/run_kernel.h"

namespace nsim::sim {

// A core that runs programs: `programs` run one after another (e.g. a weight load, then
// inferences); SBUF, PSUM and device memory persist between them, and each starts when the one
// before has fully finished (engines and DMA), with its semaphores back at 0.
struct CorePlacement {
    uint32_t chip = 0;
    uint32_t core = 0;
    std::vector<const isa::Program*> programs;
};

struct SystemRunResult {
    std::vector<std::vector<RunResult>> cores;  // per placement, per program (start_ns/end_ns set)
    std::vector<MemoryReport> chips;            // per chip: device-memory bytes, busy, bandwidth
    double time_ns = 0;                         // until the last program of any core finished
    double host_seconds = 0;  // host time of the simulation (elaboration to report)
};

// Simulates every placement concurrently. `hbm` has one DeviceMemory per placement: its own
// tensors (those of all its programs get addresses, and bytes unless timing only), mapped into its
// chip's address space at an equal share of the chip's device memory. One simulation per process.
//
// Collective instructions (all_reduce, all_gather, reduce_scatter, send, recv) run on the
// system's collective engines over the NeuronLink network of `instance` (its chip must be `chip`
// and its chip count `chips`); without an instance, one chip with no links (a collective between
// the cores of one chip). A placement is rank chip x cores + core (chip-major, as
// CollectiveEngine numbers ranks); a send's or recv's peer_offset counts modulo the number of
// placements (isa::peer_rank), so an SPMD run places ranks 0..N-1. The issuing engine goes on at
// once; on completion the instruction's semaphores are incremented and, unless timing only, each
// rank's dst holds the result computed from every rank's src. A collective some ranks never issue
// is a deadlock naming them. Each step's bytes are read from and written to the chips' device
// memory, contending with the cores' DMA.
//
// Throws SimError for a bad placement (chip or core out of range, a core used twice, no program),
// tensors that exceed their share of device memory, a deadlock or an error inside a core, and
// collectives across several chips without an instance.
SystemRunResult run_system(const ChipConfig& chip, uint32_t chips,
                           const std::vector<CorePlacement>& placements,
                           std::vector<DeviceMemory>& hbm, const CustomOpRegistry& ops,
                           const RunOptions& options, const InstanceConfig* instance = nullptr);

}  // namespace nsim::sim
