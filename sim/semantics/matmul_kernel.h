// The PE array's fp32 sums for nc_matmul, vectorised across the outputs: every output keeps the
// hardware order (sequential in ascending k from +0, each product rounded to fp32 before the add;
// the build never contracts them into FMAs).
#pragma once

#include <cstdint>

namespace nsim::sim {

// Operands and output of one matmul: a[k * a_stride + m] (K x M, the stationary tile),
// b[k * b_stride + n] (K x N, the moving tile), out[m * n_size + n] (M x N).
struct MatmulOperands {
    const float* a = nullptr;
    uint64_t a_stride = 0;
    const float* b = nullptr;
    uint64_t b_stride = 0;
    uint32_t k_size = 0;
    uint32_t m_size = 0;
    uint64_t n_size = 0;
    float* out = nullptr;
};

// out[m][n] = s(m, n), or out[m][n] + s(m, n) when `accumulate` (PSUM's read-add-write), for
// s(m, n) = ((+0 + a[0][m] * b[0][n]) + a[1][m] * b[1][n]) + ... in fp32. A NaN result carries
// the payload of alu()'s NaN rule (first_nan) applied at every multiply and add, the stationary
// value and the running sum counting as first operands (the hardware's rule is undocumented).
// `baseline` uses the build's baseline vectors (SSE2 on x86-64) even where the host has wider ones
// (AVX2), the results being the same (tests run both).
void matmul_sums(const MatmulOperands& g, bool accumulate, bool baseline = false);
// The vector instructions matmul_sums uses on this host: "avx2" or "baseline".
const char* matmul_vectors();

}  // namespace nsim::sim
