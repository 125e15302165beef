// A kernel of compiler/ run alone in the simulator: declare HBM inputs with values, load them
// into SBUF in the kernel's layout, emit the kernel, store its result, run, read back.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/kernel_weights.h"
#include "compiler/model_weights.h"
#include "isa/verifier.h"
#include "model_test_util.h"

namespace nsim::test {

// Random values in [-scale, scale] (deterministic per name).
inline std::vector<float> random_values(const std::string& name, size_t n, float scale = 1) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = scale * compiler::seeded_uniform(name, i, 3);
    return v;
}

class KernelHarness {
public:
    KernelHarness()
        : m_chip(sim::load_chip("inf1")),
          m_builder("kernel", isa::Generation::v1),
          m_ctx(m_builder, m_chip.limits, "kernel test") {}

    compiler::KernelContext& ctx() { return m_ctx; }
    isa::KernelBuilder& b() { return m_builder; }

    // An HBM tensor with values (row-major), declared as an input.
    void input(const std::string& name, std::vector<uint64_t> shape, isa::DType dtype,
               std::vector<float> values) {
        m_builder.tensor(name, shape, dtype, isa::TensorRole::input);
        m_values[name] = std::move(values);
    }
    // [features, tokens] values loaded into feature-major tiles of `dtype` (the DMA converts).
    compiler::FeatureTiles features(const std::string& name, uint32_t features, uint32_t tokens,
                                    isa::DType dtype, const std::vector<float>& values) {
        input(name, {features, tokens}, isa::DType::float32, values);
        const auto t = m_ctx.alloc_features(features, tokens, dtype, name);
        for (uint32_t k = 0; k < t.tiles; ++k) {
            const uint32_t rows = std::min(128u, features - k * 128);
            m_ctx.dma(t.ap(k, 0, tokens, 0, rows), m_builder.hbm(name, k * 128, rows, 0, {tokens}));
        }
        return t;
    }
    // A per-feature vector in column layout, loaded.
    compiler::VectorWeight vector(const std::string& name, const std::vector<float>& logical) {
        compiler::VectorWeight v{name, uint32_t(logical.size()), 0};
        std::vector<float> hbm(128 * v.tiles(), 0.0f);
        for (size_t f = 0; f < logical.size(); ++f)
            hbm[(f % 128) * v.tiles() + f / 128] = logical[f];
        input(name, {128, v.tiles()}, isa::DType::float32, hbm);
        v.offset = m_ctx.sbuf().alloc(v.sbuf_bytes(), name);
        v.emit_load(m_ctx);
        return v;
    }
    // A [rows, cols] matrix in HBM in `dtype`, resident (loaded now) or streamed.
    compiler::MatrixWeight matrix(const std::string& name, uint32_t rows, uint32_t cols,
                                  isa::DType dtype, const std::vector<float>& values,
                                  bool resident) {
        input(name, {rows, cols}, dtype, values);
        compiler::MatrixWeight w{name, rows, cols, dtype, resident, 0};
        if (resident) {
            w.offset = m_ctx.sbuf().alloc(w.sbuf_bytes(), name);
            w.emit_load(m_ctx);
        }
        return w;
    }
    // Stores feature-major tiles to a new fp32 output tensor [features, tokens].
    void store(const std::string& name, const compiler::FeatureTiles& t, uint32_t features) {
        m_builder.tensor(name, {features, t.tokens}, isa::DType::float32, isa::TensorRole::output);
        for (uint32_t k = 0; k < t.tiles; ++k) {
            const uint32_t rows = std::min(128u, features - k * 128);
            m_ctx.dma(m_builder.hbm(name, k * 128, rows, 0, {t.tokens}),
                      t.ap(k, 0, t.tokens, 0, rows));
        }
    }

    // Verifies, synchronises and runs the program; returns the result.
    sim::RunResult run() {
        const auto program = m_builder.build();
        const auto diagnostics = isa::verify(program, m_chip.limits);
        for (const auto& d : diagnostics) UNSCOPED_INFO(d.message);
        REQUIRE(diagnostics.empty());
        m_hbm.allocate(program.tensors);
        for (const auto& [name, values] : m_values) m_hbm.set_values(name, values);
        return run_sequential(program, m_chip, m_hbm);
    }
    std::vector<float> output(const std::string& name) const { return m_hbm.values(name); }

private:
    sim::ChipConfig m_chip;
    isa::KernelBuilder m_builder;
    compiler::KernelContext m_ctx;
    sim::DeviceMemory m_hbm;
    std::map<std::string, std::vector<float>> m_values;
};

// Largest |a[i] - b[i]|.
inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(a[i] - b[i])));
    return worst;
}

// Rounds values through `dtype` (what the kernel's inputs become).
inline std::vector<float> rounded(std::vector<float> v, isa::DType dtype) {
    for (auto& x : v) x = isa::quantize(dtype, x);
    return v;
}

}  // namespace nsim::test
