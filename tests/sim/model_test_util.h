// Running lowered models in the simulator for the tests: fill the seeded weights and inputs into
// device memory, run one sequential program, read fp32 outputs back.
#pragma once

#include <string>
#include <vector>

#include "compiler/lower_model.h"
#include "compiler/sync_insertion.h"
#include "isa/dtype.h"
#include "sim/config/chip_config.h"
#include "sim/system/run_kernel.h"

namespace nsim::test {

// Fills every weight tensor `program` declares with its seeded values.
inline void fill_weights(sim::DeviceMemory& hbm, const isa::Program& program,
                         const std::vector<compiler::WeightTensor>& weights, uint64_t seed) {
    for (const auto& t : program.tensors)
        if (t.role == isa::TensorRole::weight)
            hbm.set_values(t.name,
                           compiler::weight_values(compiler::find_weight(weights, t.name), seed));
}

// Runs `sequential` (synchronised here) on core 0 of `chip`.
inline sim::RunResult run_sequential(const isa::Program& sequential, const sim::ChipConfig& chip,
                                     sim::DeviceMemory& hbm) {
    const auto streams = compiler::insert_sync(sequential, chip.limits, sequential.name);
    sim::RunOptions options;
    return sim::run_kernel(streams, chip, hbm, sim::builtin_custom_ops(), options);
}

}  // namespace nsim::test
