// Tests of dma_copy's data movement (raw round trips, casts through fp32, reshaping copies) and
// of dma_transpose's permutations, against hand-worked element positions.
#include <cstring>

#include <catch2/catch.hpp>

#include "isa/error.h"
#include "sim/semantics/semantics_ops.h"
#include "sim_test_util.h"

using namespace nsim::isa;
using namespace nsim::sim;
using namespace nsim::test;

namespace {

Instruction dma(const AccessPattern& dst, const AccessPattern& src) {
    return make(Opcode::dma_copy, {{"dst", dst}, {"src", src}});
}

// fp32 bits -> bf16 bits, round to nearest even, for finite values (a reference independent of
// encode).
uint32_t bf16_rne(uint32_t f32) { return (f32 + 0x7fffu + ((f32 >> 16) & 1u)) >> 16; }

std::vector<uint32_t> as_words(const std::vector<uint8_t>& bytes) {
    std::vector<uint32_t> w(bytes.size() / 4);
    std::memcpy(w.data(), bytes.data(), w.size() * 4);
    return w;
}

}  // namespace

TEST_CASE("dma_copy: an HBM -> SBUF -> HBM round trip copies raw bits (NaN payloads included)",
          "[sim]") {
    Core fx;
    std::mt19937 rng(31);
    const auto& in = fx.tensor("in", {64, 96}, DType::float32);
    const auto& out = fx.tensor("out", {64, 96}, DType::float32);
    const auto bits = random_bits(rng, 64 * 96, DType::float32);
    std::memcpy(fx.hbm.bytes("in").data(), bits.data(), bits.size() * 4);

    const auto tile = sbuf_pattern(32, 64, 128, DType::float32, {{1, 96}});
    fx.run(ops::dma_copy, dma(tile, hbm(in, 0, 64)));
    CHECK(get_bits(fx, tile) == bits);
    fx.run(ops::dma_copy, dma(hbm(out, 0, 64), tile));
    CHECK(fx.hbm.bytes("out") == fx.hbm.bytes("in"));
}

TEST_CASE("dma_copy: different dtypes cast through fp32, f32 -> bf16 rounding to nearest even",
          "[sim]") {
    Core fx;
    std::mt19937 rng(32);
    const auto& src = fx.tensor("x", {16, 40}, DType::float32);
    const auto& back = fx.tensor("y", {16, 40}, DType::float32);
    std::vector<uint32_t> bits(16 * 40);
    for (size_t i = 0; i < bits.size(); ++i) {
        float v = std::uniform_real_distribution<float>(-100, 100)(rng);
        std::memcpy(&bits[i], &v, 4);
        if (i % 3 == 0) bits[i] = (bits[i] & 0xffff0000u) | 0x8000u;  // an exact tie
    }
    std::memcpy(fx.hbm.bytes("x").data(), bits.data(), bits.size() * 4);

    const auto tile = sbuf_pattern(0, 16, 2, DType::bfloat16, {{2, 40}});  // strided bf16 tile
    fx.run(ops::dma_copy, dma(tile, hbm(src, 0, 16)));
    const auto got = get_bits(fx, tile);
    for (size_t i = 0; i < bits.size(); ++i) REQUIRE(got[i] == bf16_rne(bits[i]));
    // bf16 -> f32 widens exactly.
    fx.run(ops::dma_copy, dma(hbm(back, 0, 16), tile));
    const auto wide = as_words(fx.hbm.bytes("y"));
    for (size_t i = 0; i < bits.size(); ++i) REQUIRE(wide[i] == bf16_rne(bits[i]) << 16);
}

TEST_CASE(
    "dma_copy: shapes may differ, and element k of src goes to element k of dst in row-major order",
    "[sim]") {
    Core fx;
    std::mt19937 rng(33);
    SECTION("SBUF [4, 4x6 strided] -> HBM [8, 12]") {
        const auto& t = fx.tensor("t", {8, 12}, DType::float32);
        const auto src =
            sbuf_pattern(8, 4, 64, DType::float32, {{10, 4}, {-1, 6}});  // negative inner step
        const auto v = random_values(rng, 96, DType::float32, -1, 1);
        put_values(fx, src, v);
        fx.run(ops::dma_copy, dma(hbm(t, 0, 8), src));
        std::vector<float> got(96);
        std::memcpy(got.data(), fx.hbm.bytes("t").data(), 96 * 4);
        CHECK(got == v);
    }
    SECTION("HBM -> HBM: [6, 16] into rows 1..3 of [4, 32], int16 raw") {
        const auto& a = fx.tensor("a", {6, 16}, DType::int16);
        const auto& b = fx.tensor("b", {4, 32}, DType::int16);
        for (auto& byte : fx.hbm.bytes("a")) byte = uint8_t(rng());
        fx.run(ops::dma_copy, dma(hbm(b, 1, 3), hbm(a, 0, 6)));
        const auto& bb = fx.hbm.bytes("b");
        CHECK(std::vector<uint8_t>(bb.begin(), bb.begin() + 64) == std::vector<uint8_t>(64, 0));
        CHECK(std::vector<uint8_t>(bb.begin() + 64, bb.end()) == fx.hbm.bytes("a"));
    }
    SECTION("HBM column slice -> SBUF: every other element of each row") {
        const auto& m = fx.tensor("m", {4, 10}, DType::float32);
        std::vector<float> mv(40);
        for (size_t i = 0; i < 40; ++i) mv[i] = float(i);
        std::memcpy(fx.hbm.bytes("m").data(), mv.data(), 160);
        const auto dst = sbuf_pattern(0, 2, 0, DType::float32, {{1, 10}});
        fx.run(ops::dma_copy, dma(dst, hbm(m, 0, 4, {{2, 5}}, 4)));  // columns 1, 3, 5, 7, 9
        std::vector<float> want;
        for (int r = 0; r < 4; ++r)
            for (int c = 1; c < 10; c += 2) want.push_back(float(r * 10 + c));
        CHECK(get_values(fx, dst) == want);
    }
    SECTION("SBUF -> SBUF: uint8 [2, 12] into f16 [4, 6] on other partitions") {
        const auto src = sbuf_pattern(0, 2, 0, DType::uint8, {{1, 12}});
        const auto dst = sbuf_pattern(64, 4, 32, DType::float16, {{1, 6}});
        const auto bits = random_bits(rng, 24, DType::uint8);
        put_bits(fx, src, bits);
        fx.run(ops::dma_copy, dma(dst, src));
        const auto got = get_values(fx, dst);
        for (size_t i = 0; i < 24; ++i)
            REQUIRE(got[i] == float(bits[i]));  // integers < 2048: exact in f16
    }
}

TEST_CASE("dma_copy: unequal element counts are a SimError", "[sim]") {
    Core fx;
    CHECK_THROWS_AS(fx.run(ops::dma_copy, dma(sbuf_pattern(0, 2, 0, DType::float32, {{1, 5}}),
                                              sbuf_pattern(0, 3, 64, DType::float32, {{1, 3}}))),
                    nsim::SimError);
}

TEST_CASE("dma_transpose: 2-D, NKI's 3-D and 4-D defaults and given axes move every element",
          "[sim]") {
    Core fx(Generation::v3);
    // src element (a, b, c, d) of shape [2, 3, 2, 2] holds 1000a + 100b + 10c + d.
    const auto& x = fx.tensor("x", {2, 12}, DType::int32);
    std::vector<uint32_t> v;
    for (uint32_t a = 0; a < 2; ++a)
        for (uint32_t b = 0; b < 3; ++b)
            for (uint32_t c = 0; c < 2; ++c)
                for (uint32_t d = 0; d < 2; ++d) v.push_back(1000 * a + 100 * b + 10 * c + d);
    std::memcpy(fx.hbm.bytes("x").data(), v.data(), v.size() * 4);
    const auto run = [&](const AccessPattern& dst, const AccessPattern& src,
                         std::vector<int64_t> axes) {
        Instruction i = make(Opcode::dma_transpose, {{"dst", dst}, {"src", src}});
        if (!axes.empty()) set_arg(i, "axes", axes);
        fx.run(ops::dma_transpose, i);
        return get_bits(fx, dst);
    };
    // 2-D [2, 12] -> [12, 2]
    CHECK(run(sbuf(0, 12, 0, DType::int32, {2}), hbm(x, 0, 2), {}) ==
          std::vector<uint32_t>{0,   1000, 1,   1001, 10,  1010, 11,  1011, 100, 1100, 101, 1101,
                                110, 1110, 111, 1111, 200, 1200, 201, 1201, 210, 1210, 211, 1211});
    // 4-D [2, 3, 2, 2] -> (3, 1, 2, 0): [2(d), 3(b), 2(c), 2(a)]
    const std::vector<uint32_t> four =
        run(sbuf(0, 2, 64, DType::int32, {3, 2, 2}), hbm(x, 0, 2, {{4, 3}, {2, 2}, {1, 2}}), {});
    REQUIRE(four.size() == 24);
    CHECK(four[0] == 0);
    CHECK(four[1] == 1000);                  // dst (0, 0, 0, 1): a = 1
    CHECK(four[2] == 10);                    // dst (0, 0, 1, 0): c = 1
    CHECK(four[4] == 100);                   // dst (0, 1, 0, 0): b = 1
    CHECK(four[12] == 1);                    // dst (1, 0, 0, 0): d = 1
    CHECK(four[23] == 1000 + 200 + 10 + 1);  // the last: d = 1, b = 2, c = 1, a = 1
    // given axes (0, 2, 1) of [2, 6, 2]: swap the two free dims
    CHECK(run(sbuf(0, 2, 256, DType::int32, {2, 6}), hbm(x, 0, 2, {{2, 6}, {1, 2}}), {0, 2, 1}) ==
          std::vector<uint32_t>{0,    10,   100,  110,  200,  210,  1,    11,
                                101,  111,  201,  211,  1000, 1010, 1100, 1110,
                                1200, 1210, 1001, 1011, 1101, 1111, 1201, 1211});
}
