// Running lowered models in the simulator for the tests: fill the seeded weights and inputs into
// device memory, run one sequential program, read fp32 outputs back.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "compiler/lower_model.h"
#include "compiler/sync_insertion.h"
#include "isa/dtype.h"
#include "sim/chip_config.h"
#include "sim/run_kernel.h"

namespace nsim::test {

// Writes fp32 `values` into the tensor's bytes, encoded in its dtype.
inline void write_values(sim::DeviceMemory& hbm, const std::string& name, const std::vector<float>& values) {
    auto& bytes = hbm.bytes(name);
    const isa::DType dt = hbm.decl(name).dtype;
    const unsigned size = isa::dtype_size(dt);
    for (size_t i = 0; i < values.size(); ++i) {
        const uint32_t bits = isa::encode(dt, values[i]);
        std::memcpy(&bytes[i * size], &bits, size);
    }
}

inline std::vector<float> read_f32(const sim::DeviceMemory& hbm, const std::string& name) {
    const auto& bytes = hbm.bytes(name);
    std::vector<float> v(bytes.size() / 4);
    std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
}

// Fills every weight tensor `program` declares with its seeded values.
inline void fill_weights(sim::DeviceMemory& hbm, const isa::Program& program,
                         const std::vector<compiler::WeightTensor>& weights, uint64_t seed) {
    for (const auto& t : program.tensors)
        if (t.role == isa::TensorRole::weight)
            write_values(hbm, t.name, compiler::weight_values(compiler::find_weight(weights, t.name), seed));
}

// Runs `sequential` (synchronised here) on core 0 of `chip`.
inline sim::RunResult run_sequential(const isa::Program& sequential, const sim::ChipConfig& chip, sim::DeviceMemory& hbm) {
    const auto streams = compiler::insert_sync(sequential, chip.limits, sequential.name);
    sim::RunOptions options;
    return sim::run_kernel(streams, chip, hbm, sim::builtin_custom_ops(), options);
}

// Largest |a - b| between the simulated feature-major [hidden, tokens] tensor and the reference's
// token-major [tokens, hidden] one.
inline double max_error_transposed(const std::vector<float>& feature_major, const std::vector<float>& token_major,
                                   size_t hidden, size_t tokens) {
    double worst = 0;
    for (size_t f = 0; f < hidden; ++f)
        for (size_t t = 0; t < tokens; ++t)
            worst = std::max(worst, double(std::abs(feature_major[f * tokens + t] - token_major[t * hidden + f])));
    return worst;
}

}  // namespace nsim::test
