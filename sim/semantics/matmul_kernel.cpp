#include "sim/semantics/matmul_kernel.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "sim/semantics/alu.h"

namespace nsim::sim {

namespace {

using Lanes4 = float __attribute__((vector_size(16)));  // SSE2, the build's baseline
using Lanes8 = float __attribute__((vector_size(32)));  // AVX2, chosen at run time

constexpr uint32_t kRows = 8;  // outputs m per block; a block row is one vector of outputs n

// One output's sum with alu's NaN rule at every step (first_nan: the stationary value's NaN before
// the moving one's, the running sum's before the product's). The vector loops give the same
// numbers but leave a NaN's payload to the host, so a NaN sum is computed again here (NaNs are
// rare: only inf or NaN inputs make them).
float exact_sum(const MatmulOperands& g, uint32_t m, uint64_t n) {
    float s = 0.0f;
    for (uint32_t k = 0; k < g.k_size; ++k) {
        const float a = g.a[k * g.a_stride + m], b = g.b[k * g.b_stride + n];
        const float product = first_nan(a * b, a, b);
        s = first_nan(s + product, s, product);
    }
    return s;
}

// out = s, or out + s (PSUM's value first for a NaN).
void put(const MatmulOperands& g, uint32_t m, uint64_t n, float s, bool accumulate) {
    if (std::isnan(s)) s = exact_sum(g, m, n);
    float& o = g.out[m * g.n_size + n];
    o = accumulate ? first_nan(o + s, o, s) : s;
}

// The blocks of kRows x W outputs (W = V's lanes) below full_m x full_n. A block's sums stay in
// registers for the whole k loop; blocking reorders nothing within any one sum. With
// `kSpread` the block's stationary values are first broadcast to whole vectors, so that the k
// loop only loads (SSE2 has no broadcast from memory); otherwise each is broadcast where it is
// used (AVX2's vbroadcastss). Inlined into each caller, so compiled for the caller's target.
template <class V, bool kSpread>
[[gnu::always_inline]] inline void blocks(const MatmulOperands& g, bool accumulate, uint32_t full_m,
                                          uint64_t full_n) {
    constexpr uint32_t kWidth = sizeof(V) / sizeof(float);
    std::vector<V> spread(kSpread ? size_t(g.k_size) * kRows : 0);
    for (uint32_t m = 0; m < full_m; m += kRows) {
        if constexpr (kSpread)
            for (uint32_t k = 0; k < g.k_size; ++k)
                for (uint32_t i = 0; i < kRows; ++i) {
                    V& x = spread[k * kRows + i];
                    for (uint32_t j = 0; j < kWidth; ++j) x[j] = g.a[k * g.a_stride + m + i];
                }
        for (uint64_t n = 0; n < full_n; n += kWidth) {
            V acc[kRows] = {};
            const V* x = spread.data();  // kSpread: the k loop walks it kRows at a time
            const float* a = g.a + m;
            const float* b = g.b + n;
            for (uint32_t k = 0; k < g.k_size; ++k, x += kRows, a += g.a_stride, b += g.b_stride) {
                V row;
                std::memcpy(&row, b, sizeof row);
                for (uint32_t i = 0; i < kRows; ++i) {
                    V product;
                    if constexpr (kSpread)
                        product = x[i] * row;
                    else
                        product = a[i] * row;
                    acc[i] = acc[i] + product;
                }
            }
            for (uint32_t i = 0; i < kRows; ++i) {  // a whole vector at once unless a NaN shows
                float* o = &g.out[(m + i) * g.n_size + n];
                V result;
                std::memcpy(&result, o, sizeof result);
                result = accumulate ? result + acc[i] : acc[i];
                bool nan = false;
                for (uint32_t j = 0; j < kWidth; ++j) nan |= result[j] != result[j];
                if (!nan) {
                    std::memcpy(o, &result, sizeof result);
                    continue;
                }
                for (uint32_t j = 0; j < kWidth; ++j) put(g, m + i, n + j, acc[i][j], accumulate);
            }
        }
    }
}

// What is left below full_m x full_n: rows past full_m (all columns), columns past full_n.
void rest(const MatmulOperands& g, bool accumulate, uint32_t full_m, uint64_t full_n) {
    for (uint32_t m = 0; m < g.m_size; ++m)
        for (uint64_t n = m < full_m ? full_n : 0; n < g.n_size; ++n) {
            float s = 0.0f;
            for (uint32_t k = 0; k < g.k_size; ++k) {
                const float product = g.a[k * g.a_stride + m] * g.b[k * g.b_stride + n];
                s = s + product;
            }
            put(g, m, n, s, accumulate);  // a NaN sum is computed again by exact_sum
        }
}

template <class V, bool kSpread>
[[gnu::always_inline]] inline void all(const MatmulOperands& g, bool accumulate) {
    constexpr uint32_t kWidth = sizeof(V) / sizeof(float);
    const uint32_t full_m = g.m_size / kRows * kRows;
    const uint64_t full_n = g.n_size / kWidth * kWidth;
    blocks<V, kSpread>(g, accumulate, full_m, full_n);
    rest(g, accumulate, full_m, full_n);
}

#if defined(__x86_64__) && defined(__GNUC__)
[[gnu::target("avx2")]] void all_avx2(const MatmulOperands& g, bool accumulate) {
    all<Lanes8, false>(g, accumulate);
    // Clean upper halves for the SSE code that runs next (GCC does not insert this here).
    __builtin_ia32_vzeroupper();
}
#endif

bool host_has_avx2() {
#if defined(__x86_64__) && defined(__GNUC__)
    static const bool avx2 = __builtin_cpu_supports("avx2");
    return avx2;
#else
    return false;
#endif
}

}  // namespace

void matmul_sums(const MatmulOperands& g, bool accumulate, bool baseline) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (!baseline && host_has_avx2()) return all_avx2(g, accumulate);
#endif
    all<Lanes4, true>(g, accumulate);
}

const char* matmul_vectors() { return host_has_avx2() ? "avx2" : "baseline"; }

}  // namespace nsim::sim
