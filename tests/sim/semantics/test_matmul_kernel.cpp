// Tests of the vectorised matmul sums against a plain loop in the hardware's order, on both the
// host's widest vectors and the baseline ones: odd shapes (blocks and the rest), strides wider than
// the tile, accumulation, signed zeros, infinities and NaN payloads.
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/semantics/matmul_kernel.h"
#include "sim_test_util.h"

using namespace nsim::sim;
using namespace nsim::test;

namespace {

// x86's rule spelled out: a NaN operand's payload, quieted, the first operand's first.
float nan_rule(float r, float x, float y) {
    if (!std::isnan(r)) return r;
    if (std::isnan(x)) return float_of(bits_of(x) | 0x400000u);
    if (std::isnan(y)) return float_of(bits_of(y) | 0x400000u);
    return r;
}

std::vector<float> plain(const MatmulOperands& g, const std::vector<float>& before,
                         bool accumulate) {
    std::vector<float> out(before);
    for (uint32_t m = 0; m < g.m_size; ++m)
        for (uint64_t n = 0; n < g.n_size; ++n) {
            float s = 0.0f;
            for (uint32_t k = 0; k < g.k_size; ++k) {
                const float a = g.a[k * g.a_stride + m], b = g.b[k * g.b_stride + n];
                const float product = nan_rule(a * b, a, b);
                s = nan_rule(s + product, s, product);
            }
            float& o = out[m * g.n_size + n];
            o = accumulate ? nan_rule(o + s, o, s) : s;
        }
    return out;
}

}  // namespace

TEST_CASE("matmul kernel: bit for bit the plain loop, on every vector width", "[sim]") {
    std::mt19937 rng(17);
    std::uniform_real_distribution<float> value(-2.0f, 2.0f);
    const float specials[] = {float_of(0x7fc00001u),
                              float_of(0xffa00002u),  // quiet, signalling
                              float_of(0x7f800000u),
                              float_of(0xff800000u),  // +-inf
                              -0.0f,
                              float_of(0x00000003u)};  // -0, subnormal
    struct Shape {
        uint32_t k, m;
        uint64_t n;
    };
    for (const Shape shape : {Shape{128, 128, 512}, Shape{7, 19, 45}, Shape{33, 8, 8}})
        for (bool with_specials : {false, true})
            for (bool accumulate : {false, true})
                for (bool baseline : {false, true}) {
                    CAPTURE(shape.k, shape.m, shape.n, with_specials, accumulate, baseline);
                    const uint64_t a_stride = shape.m + 3, b_stride = shape.n + 5;
                    std::vector<float> a(shape.k * a_stride), b(shape.k * b_stride),
                        out(shape.m * shape.n);
                    for (auto* v : {&a, &b, &out})
                        for (float& x : *v)
                            x = with_specials && rng() % 97 == 0 ? specials[rng() % 6] : value(rng);
                    const MatmulOperands g{a.data(), a_stride, b.data(), b_stride,
                                           shape.k,  shape.m,  shape.n,  out.data()};
                    const std::vector<float> want = plain(g, out, accumulate);
                    matmul_sums(g, accumulate, baseline);
                    size_t wrong = 0, nans = 0;
                    for (size_t i = 0; i < out.size(); ++i) {
                        wrong += bits_of(out[i]) != bits_of(want[i]);
                        nans += std::isnan(want[i]);
                    }
                    CHECK(wrong == 0);
                    if (with_specials) CHECK(nans > 0);  // the NaN rule was exercised
                }
}
