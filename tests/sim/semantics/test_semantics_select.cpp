// Tests of tensor_copy_predicated, select_reduce, iota and affine_select against index-loop
// references.
#include <algorithm>
#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

#include "sim/semantics/semantics_ops.h"
#include "sim_test_util.h"

using namespace nsim::isa;
using namespace nsim::sim;
using namespace nsim::test;

namespace {

const float kFp32Min = -std::numeric_limits<float>::max();

// Reference int -> integer dtype conversion: clamp to the type's range (bool: non-zero -> 1).
uint32_t int_to_bits(DType t, int64_t v) {
    switch (t) {
        case DType::bool_:
            return v != 0;
        case DType::int8:
            return uint32_t(std::clamp<int64_t>(v, -128, 127)) & 0xff;
        case DType::uint8:
            return uint32_t(std::clamp<int64_t>(v, 0, 255));
        case DType::int16:
            return uint32_t(std::clamp<int64_t>(v, -32768, 32767)) & 0xffff;
        case DType::uint16:
            return uint32_t(std::clamp<int64_t>(v, 0, 65535));
        case DType::uint32:
            return uint32_t(std::max<int64_t>(v, 0));
        default:
            return uint32_t(v);  // int32
    }
}

}  // namespace

TEST_CASE(
    "tensor_copy_predicated: where predicate != 0 dst takes src's raw bits, elsewhere dst is kept",
    "[sim]") {
    for (DType dt :
         {DType::float32, DType::bfloat16, DType::int32, DType::uint8, DType::float8_e4m3}) {
        CAPTURE(dtype_name(dt));
        Core fx;
        std::mt19937 rng(11);
        // 32 partitions from 32; strided 2-D dst in SBUF, src in PSUM with gaps, a uint8 predicate.
        const auto dst = sbuf_pattern(32, 32, 64, dt, {{16, 3}, {2, 5}});
        const auto src = psum_pattern(32, 32, 8, dt, {{6, 3}, {1, 5}});
        const auto pred = sbuf_pattern(32, 32, 4096, DType::uint8, {{1, 15}});
        const auto src_bits = random_bits(rng, 32 * 15, dt);  // any pattern, NaNs included
        const auto old_bits = random_bits(rng, 32 * 15, dt);
        std::vector<uint32_t> p(32 * 15);
        for (auto& x : p) x = rng() % 4 == 0 ? 0 : rng() % 256;
        put_bits(fx, src, src_bits);
        put_bits(fx, dst, old_bits);
        put_bits(fx, pred, p);

        fx.run(ops::tensor_copy_predicated,
               make(Opcode::tensor_copy_predicated,
                    {{"dst", dst}, {"src", src}, {"predicate", pred}}));
        const auto out = get_bits(fx, dst);
        for (size_t i = 0; i < out.size(); ++i)
            REQUIRE(out[i] == (p[i] != 0 ? src_bits[i] : old_bits[i]));
    }
}

TEST_CASE(
    "tensor_copy_predicated: reverse_pred flips the predicate and an immediate src is rounded into "
    "dst",
    "[sim]") {
    Core fx;
    std::mt19937 rng(12);
    const auto dst = sbuf_pattern(0, 8, 0, DType::bfloat16, {{2, 4}, {1, 2}});
    const auto pred = psum_pattern(0, 8, 2048, DType::uint16, {{1, 8}});
    const auto old = random_values(rng, 64, DType::bfloat16, -4, 4);
    std::vector<uint32_t> p(64);
    for (auto& x : p) x = rng() % 2 ? 0 : 1 + rng() % 65535;
    put_values(fx, dst, old);
    put_bits(fx, pred, p);

    fx.run(ops::tensor_copy_predicated,
           make(Opcode::tensor_copy_predicated,
                {{"dst", dst}, {"src", 2.7}, {"predicate", pred}, {"reverse_pred", true}}));
    const auto out = get_bits(fx, dst);
    for (size_t i = 0; i < out.size(); ++i)
        REQUIRE(out[i] ==
                (p[i] == 0 ? encode(DType::bfloat16, 2.7f) : encode(DType::bfloat16, old[i])));

    // Decision: a float predicate is tested on its value (-0 is zero, NaN is not).
    const auto fpred = sbuf_pattern(0, 1, 1024, DType::float32, {{1, 4}});
    const auto fdst = sbuf_pattern(0, 1, 2048, DType::float32, {{1, 4}});
    put_values(fx, fpred, {-0.0f, std::nanf(""), 0.0f, 1.5f});
    put_values(fx, fdst, {1, 1, 1, 1});
    fx.run(ops::tensor_copy_predicated, make(Opcode::tensor_copy_predicated,
                                             {{"dst", fdst}, {"src", 5.0}, {"predicate", fpred}}));
    CHECK(get_values(fx, fdst) == std::vector<float>{1, 5, 1, 5});
}

TEST_CASE(
    "select_reduce: dst = pred ? on_true : on_false and the VectorE accumulator keeps the running "
    "max",
    "[sim]") {
    Core fx;
    std::mt19937 rng(13);
    const uint32_t P = 16, start = 64, F = 12;
    const auto pred = psum_pattern(start, P, 0, DType::int8, {{6, 2}, {1, 6}});
    const auto on_true = sbuf_pattern(start, P, 100, DType::bfloat16, {{1, F}});
    const auto dst = sbuf_pattern(start, P, 512, DType::float32, {{24, 2}, {2, 6}});  // strided
    const auto res = sbuf_pattern(start, P, 1000, DType::float32, {{1, 1}});
    const auto tv = random_values(rng, P * F, DType::bfloat16, -10, 10);
    std::vector<uint32_t> p(P * F);
    for (auto& x : p) x = rng() % 3 == 0 ? 0 : rng() % 256;
    put_values(fx, on_true, tv);
    put_bits(fx, pred, p);
    std::vector<float> acc(P, -std::numeric_limits<float>::infinity());

    // 1: reset_reduce, immediate on_false.
    fx.run(ops::select_reduce,
           make(Opcode::select_reduce, {{"dst", dst},
                                        {"predicate", pred},
                                        {"on_true", on_true},
                                        {"on_false", -1.5},
                                        {"reduce_res", res},
                                        {"reduce_cmd", int64_t(ReduceCmd::reset_reduce)}}));
    auto out = get_values(fx, dst);
    for (uint32_t w = 0; w < P; ++w)
        for (uint32_t f = 0; f < F; ++f) {
            const float v = p[w * F + f] != 0 ? tv[w * F + f] : -1.5f;
            REQUIRE(out[w * F + f] == v);
            acc[w] = std::max(acc[w], v);
        }
    CHECK(get_values(fx, res) == acc);

    // 2: reduce, [P,1] on_false tile, reverse_pred, f32 on_true rounded into a bf16 dst.
    const auto on_true32 = sbuf_pattern(start, P, 2048, DType::float32, {{1, F}});
    const auto on_false = psum_pattern(start, P, 1024, DType::float32, {{1, 1}});
    const auto dst16 = sbuf_pattern(start, P, 4096, DType::bfloat16, {{1, F}});
    const auto res16 = sbuf_pattern(start, P, 1004, DType::bfloat16, {{1, 1}});
    const auto tv32 = random_values(rng, P * F, DType::float32, -10, 10);
    const auto fv = random_values(rng, P, DType::float32, -5, 15);
    put_values(fx, on_true32, tv32);
    put_values(fx, on_false, fv);
    fx.run(ops::select_reduce,
           make(Opcode::select_reduce, {{"dst", dst16},
                                        {"predicate", pred},
                                        {"on_true", on_true32},
                                        {"on_false", on_false},
                                        {"reduce_res", res16},
                                        {"reduce_cmd", int64_t(ReduceCmd::reduce)},
                                        {"reverse_pred", true}}));
    const auto out16 = get_bits(fx, dst16);
    for (uint32_t w = 0; w < P; ++w)
        for (uint32_t f = 0; f < F; ++f) {
            const float v = p[w * F + f] == 0 ? tv32[w * F + f] : fv[w];
            REQUIRE(out16[w * F + f] == encode(DType::bfloat16, v));  // the max folds v, not cvt(v)
            acc[w] = std::max(acc[w], v);
        }
    const auto r16 = get_bits(fx, res16);
    for (uint32_t w = 0; w < P; ++w) {
        REQUIRE(r16[w] == encode(DType::bfloat16, acc[w]));
        REQUIRE(fx.state.vector_acc[start + w] == acc[w]);
    }

    // 3: idle leaves the accumulator as it was; reduce_res still reads it.
    fx.run(ops::select_reduce, make(Opcode::select_reduce, {{"dst", dst},
                                                            {"predicate", pred},
                                                            {"on_true", on_true},
                                                            {"on_false", 1e6},
                                                            {"reduce_res", res}}));
    CHECK(get_values(fx, res) == acc);
}

TEST_CASE(
    "iota: offset + p*channel_multiplier + pattern index sum, int32 exact and converted to other "
    "dtypes",
    "[sim]") {
    const std::vector<FreeDim> pattern = {{100, 3}, {-7, 4}, {1, 5}};  // 60 elements, x fastest
    const int64_t offset = -40000, cm = 1000;
    for (DType dt : {DType::int32, DType::float32, DType::bfloat16, DType::int16, DType::uint8,
                     DType::uint32}) {
        CAPTURE(dtype_name(dt));
        Core fx;
        const auto dst = sbuf_pattern(0, 128, 16, dt, {{8, 12}, {1, 5}});  // 60 elements with gaps
        fx.run(ops::iota, make(Opcode::iota, {{"dst", dst},
                                              {"pattern", pattern},
                                              {"offset", offset},
                                              {"channel_multiplier", cm}}));
        const auto out = get_bits(fx, dst);
        size_t i = 0;
        for (int64_t p = 0; p < 128; ++p)
            for (int64_t w = 0; w < 3; ++w)
                for (int64_t y = 0; y < 4; ++y)
                    for (int64_t x = 0; x < 5; ++x, ++i) {
                        const int64_t v = offset + p * cm + 100 * w - 7 * y + x;
                        const uint32_t want =
                            is_float(dt) ? encode(dt, float(v)) : int_to_bits(dt, v);
                        REQUIRE(out[i] == want);
                    }
    }
}

TEST_CASE("iota: values beyond 2^24 are exact in int32 and rounded to nearest even in f32",
          "[sim]") {
    Core fx;
    const auto d32 = sbuf_pattern(32, 32, 0, DType::int32, {{1, 6}});
    const auto df = sbuf_pattern(32, 32, 64, DType::float32, {{1, 6}});
    const int64_t offset = (int64_t(1) << 24) + 1;
    const std::vector<FreeDim> pattern = {{3, 6}};
    fx.run(ops::iota, make(Opcode::iota, {{"dst", d32},
                                          {"pattern", pattern},
                                          {"offset", offset},
                                          {"channel_multiplier", int64_t(5)}}));
    fx.run(ops::iota, make(Opcode::iota, {{"dst", df},
                                          {"pattern", pattern},
                                          {"offset", offset},
                                          {"channel_multiplier", int64_t(5)}}));
    const auto bi = get_bits(fx, d32);
    const auto bf = get_values(fx, df);
    for (int64_t p = 0; p < 32; ++p)
        for (int64_t x = 0; x < 6; ++x) {
            const int64_t v = offset + 5 * p + 3 * x;
            REQUIRE(bi[p * 6 + x] == uint32_t(v));
            // nearest fp32 (spacing 2 above 2^24), ties to even
            const int64_t lo = v & ~int64_t(1);
            const int64_t want = (v & 1) == 0 ? v : ((lo >> 1) & 1 ? lo + 2 : lo);
            REQUIRE(double(bf[p * 6 + x]) == double(want));
        }
}

TEST_CASE("affine_select: causal mask keeps k <= q and writes on_false_value elsewhere", "[sim]") {
    Core fx;
    std::mt19937 rng(14);
    const uint32_t P = 128, F = 192;
    const int64_t q0 = 128, k0 = 64;  // row ch = query q0+ch, column x = key k0+x
    const auto on_true = sbuf_pattern(0, P, 0, DType::float32, {{1, F}});
    const auto dst = sbuf_pattern(0, P, 4096, DType::float32, {{1, F}});
    const auto scores = random_values(rng, P * F, DType::float32, -8, 8);
    put_values(fx, on_true, scores);
    fx.run(ops::affine_select,
           make(Opcode::affine_select, {{"dst", dst},
                                        {"pattern", std::vector<FreeDim>{{-1, F}}},
                                        {"channel_multiplier", int64_t(1)},
                                        {"on_true_tile", on_true},
                                        {"on_false_value", double(kFp32Min)},
                                        {"cmp_op", alu_arg(AluOp::greater_equal)},
                                        {"offset", q0 - k0}}));
    const auto out = get_values(fx, dst);
    for (int64_t ch = 0; ch < P; ++ch)
        for (int64_t x = 0; x < F; ++x)
            REQUIRE(out[ch * F + x] == (k0 + x <= q0 + ch ? scores[ch * F + x] : kFp32Min));
}

TEST_CASE(
    "affine_select: default cmp_op is equal, other dtypes pass through fp32, equal dtypes copy raw "
    "bits",
    "[sim]") {
    Core fx;
    std::mt19937 rng(15);
    const uint32_t P = 32;
    const std::vector<FreeDim> pattern = {{4, 3}, {1, 4}};  // a = 2 - 3*ch + 4*y + x
    const auto on_true = sbuf_pattern(32, P, 6, DType::bfloat16, {{8, 3}, {2, 4}});
    const auto bits = random_bits(rng, P * 12, DType::bfloat16);  // NaN patterns included
    put_bits(fx, on_true, bits);
    for (DType dt : {DType::float32, DType::bfloat16}) {
        CAPTURE(dtype_name(dt));
        const auto dst = sbuf_pattern(32, P, 1024, dt, {{1, 12}});
        fx.run(ops::affine_select, make(Opcode::affine_select, {{"dst", dst},
                                                                {"pattern", pattern},
                                                                {"channel_multiplier", int64_t(-3)},
                                                                {"on_true_tile", on_true},
                                                                {"on_false_value", 0.1},
                                                                {"offset", int64_t(2)}}));
        const auto out = get_bits(fx, dst);
        for (int64_t ch = 0; ch < P; ++ch)
            for (int64_t y = 0; y < 3; ++y)
                for (int64_t x = 0; x < 4; ++x) {
                    const size_t i = size_t(ch * 12 + y * 4 + x);
                    const bool keep = 2 - 3 * ch + 4 * y + x == 0;
                    const float t = decode(DType::bfloat16, bits[i]);
                    const uint32_t want = !keep                   ? encode(dt, 0.1f)
                                          : dt == DType::bfloat16 ? bits[i]
                                                                  : encode(dt, t);
                    if (keep && std::isnan(t) && dt == DType::float32)
                        REQUIRE(std::isnan(decode(dt, out[i])));
                    else
                        REQUIRE(out[i] == want);
                }
    }
}

TEST_CASE(
    "range_select: keeps the elements whose range_start + f lies within the row's bounds, "
    "and their running max",
    "[sim]") {
    Core core(Generation::v3);
    const auto on_true = sbuf_pattern(0, 2, 0, DType::float32, {{1, 6}}),
               b0 = sbuf_pattern(0, 2, 64, DType::float32, {{1, 1}}),
               b1 = sbuf_pattern(0, 2, 68, DType::float32, {{1, 1}}),
               dst = sbuf_pattern(0, 2, 128, DType::float32, {{1, 6}}),
               dst16 = sbuf_pattern(0, 2, 192, DType::bfloat16, {{1, 6}}),
               res = sbuf_pattern(0, 2, 256, DType::float32, {{1, 1}});
    put_values(core, on_true, {10, 20, 30, 40, 50, 60, -1, -2, -3, -4, -5, -6});
    put_values(core, b0, {3, 0});
    put_values(core, b1, {6, 4});
    const auto rs = [&](const AccessPattern& d, ReduceCmd cmd) {
        return make(Opcode::range_select, {{"dst", d},
                                           {"on_true_tile", on_true},
                                           {"comp_op0", int64_t(AluOp::greater_equal)},
                                           {"comp_op1", int64_t(AluOp::less)},
                                           {"bound0", b0},
                                           {"bound1", b1},
                                           {"reduce_cmd", int64_t(cmd)},
                                           {"reduce_res", res},
                                           {"range_start", int64_t(2)}});
    };
    core.run(ops::range_select, rs(dst, ReduceCmd::reset_reduce));
    // indices 2..7: row 0 keeps 3 <= i < 6, row 1 keeps 0 <= i < 4
    const float m = -std::numeric_limits<float>::max();
    CHECK(get_values(core, dst) == std::vector<float>{m, 20, 30, 40, m, m, -1, -2, m, m, m, m});
    CHECK(get_values(core, res) == std::vector<float>{40, -1});
    put_values(core, on_true, {0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0, 0});
    core.run(ops::range_select, rs(dst16, ReduceCmd::reduce));  // acc kept: max(40, 99), max(-1, 0)
    CHECK(get_values(core, res) == std::vector<float>{99, 0});
    const std::vector<float> got = get_values(core, dst16);  // FP32_MIN becomes -inf in bf16
    CHECK(got[0] == -std::numeric_limits<float>::infinity());
    CHECK(got[3] == 99.0f);
}

TEST_CASE("dropout: drops where the core's splitmix64 draw is below prob * 2^32, bits kept else",
          "[sim]") {
    Core core;  // seed 1
    const auto data = sbuf_pattern(0, 1, 0, DType::float32, {{1, 8}});
    const auto dst = sbuf_pattern(0, 1, 64, DType::float32, {{1, 8}});
    put_values(core, data, {1, 2, 3, 4, 5, 6, 7, 8});
    // The first draws of splitmix64 seeded 1 (high halves, computed outside nsim): 0x910a2dec
    // 0xbeeb8da1 0xf893a2ee 0x71c18690 0x71bb54d8 0xc34d0bff 0xe099ec6c 0x85e7bb0f; below 2^31:
    // the 4th and 5th.
    core.run(ops::dropout, make(Opcode::dropout, {{"dst", dst}, {"data", data}, {"prob", 0.5}}));
    CHECK(get_values(core, dst) == std::vector<float>{1, 2, 3, 0, 0, 6, 7, 8});
}

TEST_CASE(
    "dropout: prob 0 keeps, 1 drops, per partition, and about prob of a large tile is dropped",
    "[sim]") {
    Core core(Generation::v2, 7);
    const auto data = sbuf_pattern(0, 2, 0, DType::bfloat16, {{1, 64}});
    const auto dst = sbuf_pattern(0, 2, 256, DType::bfloat16, {{1, 64}});
    const auto prob = sbuf_pattern(0, 2, 512, DType::float32, {{1, 1}});
    std::vector<float> x(128);
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 64) + 0.5f;
    put_values(core, data, x);
    put_values(core, prob, {0, 1});
    core.run(ops::dropout, make(Opcode::dropout, {{"dst", dst}, {"data", data}, {"prob", prob}}));
    std::vector<float> want(x.begin(), x.begin() + 64);
    want.resize(128, 0.0f);
    CHECK(get_values(core, dst) == want);

    const auto big = sbuf_pattern(0, 128, 1024, DType::float32, {{1, 512}});
    put_values(core, big, std::vector<float>(128 * 512, 3.0f));
    core.run(ops::dropout, make(Opcode::dropout, {{"dst", big}, {"data", big}, {"prob", 0.25}}));
    const std::vector<float> got = get_values(core, big);
    const auto dropped = double(std::count(got.begin(), got.end(), 0.0f)) / double(got.size());
    CHECK(std::abs(dropped - 0.25) < 0.01);  // binomial sd 0.0017: six of them
    CHECK(std::count(got.begin(), got.end(), 3.0f) + std::count(got.begin(), got.end(), 0.0f) ==
          long(got.size()));  // survivors not rescaled
}
