// A chip's configuration: every hardware number the simulator uses, loaded from
// configs/chips/*.json with the public source (or the stated assumption) of each value.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "isa/enums.h"
#include "isa/target.h"
#include "sim/config/param_table.h"
#include "sim/timing/core_timing.h"

namespace nsim::sim {

// The parameter structs below are zero until loaded: every value comes from the chip file, which
// must give it (or inherit it from its base), with its source beside it.

// DMA engines and queues of one core [src:nki-dma].
struct DmaParams {
    uint32_t engines_per_core = 0;     // the queues per engine are limits.dma_queues
    double engine_bandwidth_gbps = 0;  // GB/s per engine
    double start_latency_ns = 0;       // semaphore-to-start latency of a transfer
    uint64_t descriptor_bytes = 0;     // largest descriptor; transfers are split into these
    // Engine time each descriptor costs besides its bytes (the per-descriptor overhead that makes
    // small transfers overhead-bound [src:nki-dma-bw]).
    double descriptor_overhead_ns = 0;
};

// The device-memory models a chip file may choose (device_memory.model): "channels" is
// ChannelMemoryModel, "simple" SimpleMemoryModel (sim/memory/device_memory_factory.cpp).
inline const std::vector<std::string> kDeviceMemoryModels = {"channels", "simple"};

// The chip's device memory (HBM, or DDR on inf1).
struct DeviceMemoryParams {
    std::string model = "channels";  // one of kDeviceMemoryModels; optional in a chip file
    uint64_t size_bytes = 0;
    double bandwidth_gbps = 0;      // GB/s for the whole chip, split evenly over the channels
    uint32_t channels = 0;          // DDR channels (inf1) or HBM stacks, each its own queue
    uint64_t interleave_bytes = 0;  // consecutive addresses change channel every this many bytes
    double access_latency_ns = 0;   // from a request's service to its data at the DMA engine
    uint64_t request_overhead_bytes = 0;  // channel time each request costs besides its bytes
};

// The chip's collective engine [src:rt-cc-overlap].
struct CollectiveParams {
    uint32_t cc_cores = 0;  // CC cores; 0 = no collective engine (inf1)
};

struct ChipConfig {
    std::string name;
    std::string file;  // the file it was loaded from
    isa::Generation generation = isa::Generation::v2;
    uint32_t cores = 0;
    isa::TargetLimits limits;
    CoreTiming timing;
    DmaParams dma;
    DeviceMemoryParams device_memory;
    CollectiveParams collective;
    std::map<std::string, ParamSource>
        sources;  // by parameter path, e.g. "timing.tensor_clock_ghz"
};

// Loads a chip by built-in name ("trn1") or by path to a JSON file. A file may name a `base` chip
// and give only the values it changes. Throws ConfigError naming the file, the JSON path and the
// expectation on a typo'd key, a wrong type, a missing value or source, or an out-of-range value.
ChipConfig load_chip(const std::string& name_or_path);

// Applies a `--set path=value` override (e.g. "timing.tensor_clock_ghz=3.0"), checked like the
// file; its source becomes the command line. Messages quote it after `shown_prefix`.
void apply_override(ChipConfig& chip, const std::string& assignment,
                    const std::string& shown_prefix = "");

// Every parameter path with its value as text and its source, in table order (for `nsim describe`).
std::vector<DescribedParam> describe(const ChipConfig& chip);

}  // namespace nsim::sim
