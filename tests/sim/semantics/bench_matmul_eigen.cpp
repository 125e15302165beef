// Host speed of the functional matmul beside a plain Eigen fp32 GEMM of the same size, in the same
// process (issue 11): hidden from ctest; run `build/tests/nsim_sim_tests "[bench]"`.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <Eigen/Dense>

#include "sim/semantics/matmul_kernel.h"
#include "sim_test_util.h"

using namespace nsim::test;
namespace ops = nsim::sim::ops;

namespace {

template <class F>
double best_seconds(int repeats, F&& f) {
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

}  // namespace

TEST_CASE("bench: a 128x128x512 bf16 nc_matmul beside Eigen's fp32 GEMM of the same size",
          "[bench][.]") {
    constexpr uint32_t K = 128, M = 128, N = 512;
    Core core;
    std::mt19937 rng(3);
    const auto st = sbuf_pattern(0, K, 0, DType::bfloat16, {{1, M}});
    const auto mv = sbuf_pattern(0, K, 1024, DType::bfloat16, {{1, N}});
    const auto dst = psum_pattern(0, M, 0, DType::float32, {{1, N}});
    const Tile s = fill(core, st, rng, -1.0f, 1.0f);
    const Tile m = fill(core, mv, rng, -1.0f, 1.0f);
    Instruction inst = make(Opcode::nc_matmul, {{"dst", dst}, {"stationary", st}, {"moving", mv}});
    inst.args[size_t(arg_index(Opcode::nc_matmul, "accumulate"))] = true;
    const double nsim_s = best_seconds(20, [&] { core.run(ops::nc_matmul, inst); });

    const Eigen::MatrixXf a = Eigen::Map<const Eigen::MatrixXf>(s.values.data(), M, K);
    const Eigen::MatrixXf b = Eigen::Map<const Eigen::MatrixXf>(m.values.data(), N, K);
    Eigen::MatrixXf c = Eigen::MatrixXf::Zero(M, N);
    const double eigen_s = best_seconds(20, [&] { c.noalias() += a * b.transpose(); });
    // The sums alone on the build's baseline vectors, as a host without AVX2 runs them (Eigen
    // here is compiled for the baseline too).
    std::vector<float> out(size_t(M) * N);
    const nsim::sim::MatmulOperands g{s.values.data(), M, m.values.data(), N, K, M, N, out.data()};
    const double baseline_s = best_seconds(20, [&] { nsim::sim::matmul_sums(g, true, true); });
    std::printf(
        "nc_matmul %ux%ux%u bf16 (PSUM accumulate, read and write included, %s vectors): %.3f ms; "
        "Eigen fp32 GEMM: %.3f ms; ratio %.2f\n",
        K, M, N, nsim::sim::matmul_vectors(), nsim_s * 1e3, eigen_s * 1e3, nsim_s / eigen_s);
    std::printf("nc_matmul sums alone on the baseline vectors: %.3f ms; ratio to Eigen %.2f\n",
                baseline_s * 1e3, baseline_s / eigen_s);
    CHECK(c.allFinite());
}
