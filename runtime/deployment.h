// Where a served model's copies and stages sit on an instance, and the transfer paths between
// the host and the chips and between stages: the ServingSetup the request-level loop runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/serving.h"
#include "sim/config/instance_config.h"

namespace nsim::runtime {

struct CoreId {
    uint32_t chip = 0;
    uint32_t core = 0;  // within the chip
    bool operator==(const CoreId& o) const { return chip == o.chip && core == o.core; }
};

// copies x stages cores, consecutive: copy c's stage s on global core c * stages + s (chip-major,
// as the Neuron runtime loads models into consecutive groups of cores, [src:parallel-ncgs]).
// Throws nsim::InputError when the instance has fewer cores, or copies or stages is 0.
std::vector<std::vector<CoreId>> place_copies(const sim::InstanceConfig& instance, uint32_t copies,
                                              uint32_t stages);

// What the request loop needs of one stage of a copy.
struct StageFigures {
    double service_ns = 0;
    uint64_t input_bytes = 0;   // what the stage receives (from the host for stage 0)
    uint64_t output_bytes = 0;  // what it sends on (to the host after the last stage)
};

// The serving setup of `placement` (from place_copies) with each copy's stage figures
// (`stages[copy][stage]`): the instance's vCPUs with each call's host time (the framework's call
// and the input and output copies), host link per chip and direction, each core's DMA for
// core-to-core activations on a chip, NeuronLink directions along the topology's routes between
// chips.
ServingSetup deployment_setup(const sim::InstanceConfig& instance,
                              const std::vector<std::vector<CoreId>>& placement,
                              const std::vector<std::vector<StageFigures>>& stages);

}  // namespace nsim::runtime
