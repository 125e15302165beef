#include <algorithm>

#include <catch2/catch.hpp>

#include "compiler/sync_insertion.h"
#include "isa/kernel_text.h"
#include "sim/system/run_kernel.h"

using namespace nsim;

// Roofline of the 2048^3 bf16 matmul example on one trn1 core: max(FLOPs / peak, bytes / DMA
// bandwidth).
TEST_CASE("core: the 2048^3 bf16 tiled matmul runs within 1.5x of its roofline on trn1", "[sim]") {
    const auto program =
        isa::parse_kernel_file(NSIM_SOURCE_DIR "/examples/kernels/matmul_bf16_2048.nki");
    const auto chip = sim::load_chip("trn1");
    const auto streams = compiler::insert_sync(program, chip.limits, "matmul_bf16_2048.nki");
    sim::DeviceMemory hbm;
    hbm.allocate(program.tensors);
    sim::RunOptions options;
    options.timing_only = true;
    const auto r = sim::run_kernel(streams, chip, hbm, sim::builtin_custom_ops(), options);
    const double n = 2048;
    const double peak_flops_per_ns = 128.0 * 128 * 2 * chip.timing.tensor_clock_ghz;
    const double bytes = 3 * n * n * 2;  // A, B in and C out, bf16
    const double dma_bytes_per_ns =
        std::min(chip.dma.engines_per_core * chip.dma.engine_bandwidth_gbps,
                 chip.device_memory.bandwidth_gbps);
    const double roofline_ns =
        std::max(2 * n * n * n / peak_flops_per_ns, bytes / dma_bytes_per_ns);
    INFO("time " << r.time_ns << " ns, roofline " << roofline_ns << " ns");
    CHECK(r.time_ns >= roofline_ns);
    CHECK(r.time_ns <= 1.5 * roofline_ns);
    const double tensor_utilization = r.engines[size_t(isa::Engine::tensor)].busy_ns / r.time_ns;
    CHECK(tensor_utilization > 0.6);
    CHECK(r.race_count == 0);
}
