// The roofline of one core: each bound from the work and the chip's published rates, and the
// simulated time never under the bound (every example kernel).
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "compiler/sync_insertion.h"
#include "isa/kernel_text.h"
#include "runtime/roofline.h"
#include "sim/config/chip_config.h"

using namespace nsim;

TEST_CASE("roofline: each bound is the work at the chip's published rate", "[runtime]") {
    const auto chip = sim::load_chip("trn1");
    // Two 128 x 128 x 512 matmuls: 2 x 2 x 128 x 128 x 512 FLOP.
    const isa::Program p = isa::parse_kernel(
        "kernel k\ntarget v2\n"
        "nc_matmul dst=psum[0:128]@0.f32[512] stationary=sbuf[0:128]@0.bf16[128] "
        "moving=sbuf[0:128]@256.bf16[512]\n"
        "nc_matmul dst=psum[0:128]@0.f32[512] stationary=sbuf[0:128]@0.bf16[128] "
        "moving=sbuf[0:128]@256.bf16[512] accumulate=true\n",
        "k.nki");
    sim::RunResult r;
    r.time_ns = 10000;
    r.dma.bytes =
        2720000;  // 10 us at 272 GB/s: 16 engines [src:nki-dma] x 17 GB/s [src:nki-dma-bw]
    r.dma.device_read_bytes = 4100000;  // 5 us at the chip's 820 GB/s [src:trainium]
    r.engines[size_t(isa::Engine::vector)].busy_ns = 3000;
    const runtime::Roofline roof = runtime::core_roofline(p, chip, r);
    CHECK(roof.matmul_flops == 2.0 * 2 * 128 * 128 * 512);
    // 128 x 128 PEs x 2 FLOP x 2.8 GHz = 91.75 TFLOPS of bf16 per NeuronCore-v2 [src:nki-arch-v2]
    CHECK(roof.bounds.at(0).name == "tensor");
    CHECK(roof.bounds.at(0).ns == Approx(roof.matmul_flops / 91.75e3).epsilon(0.001));
    CHECK(roof.bounds.at(1).name == "dma");
    CHECK(roof.bounds.at(1).ns == Approx(10000));
    CHECK(roof.bounds.at(2).name == "device memory");
    CHECK(roof.bounds.at(2).ns == Approx(5000));
    CHECK(roof.bounds.at(3).name == "vector");
    CHECK(roof.bounds.at(3).ns == 3000);
    CHECK(roof.binding().ns == Approx(10000));
    CHECK(roof.fraction_of(20000) == Approx(0.5));
}
