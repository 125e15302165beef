// The 256-partition what-if variant of trn1 (examples/variants/trn1-256.json) computes the tiled
// matmul generated for it (examples/generate/tiled_matmul.py --partitions 256) exactly.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "compiler/sync_insertion.h"
#include "isa/kernel_text.h"
#include "sim/system/run_kernel.h"

using namespace nsim;

TEST_CASE("wide array: a 256-partition bf16 matmul on trn1-256 is exact", "[sim]") {
    const std::string file = NSIM_SOURCE_DIR "/tests/kernels/matmul_bf16_512_p256.nki";
    const auto chip = sim::load_chip(NSIM_SOURCE_DIR "/examples/variants/trn1-256.json");
    const uint32_t n = 512;  // M = K = N
    // A 0/1 pattern in AT with one 1 in four along K, small integers in B: every sum is an integer
    // of magnitude at most 128 x 2 = 256, exact in bf16 (8 significant bits) and in fp32 PSUM.
    std::vector<float> at(size_t(n) * n), b(size_t(n) * n);
    for (uint32_t k = 0; k < n; ++k)
        for (uint32_t j = 0; j < n; ++j) {
            at[size_t(k) * n + j] = (k + j) % 4 == 0 ? 1.0f : 0.0f;  // AT[k][m]
            b[size_t(k) * n + j] = float(int((3 * k + j) % 5) - 2);  // B[k][n]
        }
    const auto program = isa::parse_kernel_file(file);
    sim::DeviceMemory hbm;
    hbm.allocate(program.tensors);
    hbm.set_values("at", at);
    hbm.set_values("b", b);
    const auto streams = compiler::insert_sync(program, chip.limits, file);
    const auto r = sim::run_kernel(streams, chip, hbm, sim::builtin_custom_ops(), {});
    REQUIRE(r.race_count == 0);
    const auto c = hbm.values("c");
    size_t wrong = 0;
    for (uint32_t m = 0; m < n; ++m)
        for (uint32_t j = 0; j < n; ++j) {
            int expected = 0;
            for (uint32_t k = 0; k < n; ++k)
                if ((k + m) % 4 == 0) expected += int((3 * k + j) % 5) - 2;
            if (c[size_t(m) * n + j] != float(expected) && wrong++ < 5)
                FAIL_CHECK("C[" << m << "][" << j << "] = " << c[size_t(m) * n + j] << ", expected "
                                << expected);
        }
    CHECK(wrong == 0);
}
