// Tests of max8, nc_find_index8 and nc_match_replace8 on hand-worked rows, among them the
// documented nc_match_replace8 example [src:nki-isa, nc_match_replace8].
#include <cmath>

#include <catch2/catch.hpp>

#include "sim/semantics/semantics_ops.h"
#include "sim_test_util.h"

using namespace nsim::isa;
using namespace nsim::sim;
using namespace nsim::test;

namespace {

const std::vector<float> kRepeats = {1, 2, 3, 4, 8, 8, 8, 8, 8, 8, 8};
const std::vector<float> kRepeatVals = {3, 8, 8, 8, 8, 8, 8, 8};

std::vector<float> concat(std::vector<float> a, const std::vector<float>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

TEST_CASE("max8: the 8 largest values of each row, descending, repeats kept, NaN first", "[sim]") {
    Core core;
    const auto src = sbuf_pattern(0, 2, 0, DType::float32, {{1, 10}});
    const auto dst = sbuf_pattern(0, 2, 64, DType::float32, {{1, 8}});
    put_values(core, src, {3, 9, -1, 9, 5, 0, 7, 2, 8, 1, 1, 2, 3, 4, 5, 6, 7, 8, NAN, 0});
    core.run(ops::max8, make(Opcode::max8, {{"dst", dst}, {"src", src}}));
    const std::vector<float> got = get_values(core, dst);
    CHECK(std::vector<float>(got.begin(), got.begin() + 8) ==
          std::vector<float>{9, 9, 8, 7, 5, 3, 2, 1});
    CHECK(std::isnan(got[8]));
    CHECK(std::vector<float>(got.begin() + 9, got.end()) ==
          std::vector<float>{8, 7, 6, 5, 4, 3, 2});
}

TEST_CASE("nc_find_index8: first matches, repeats take successive matches, absent is all ones",
          "[sim]") {
    Core core;
    const auto data = sbuf_pattern(0, 2, 0, DType::float32, {{1, 11}});
    const auto vals = sbuf_pattern(0, 2, 64, DType::float32, {{1, 8}});
    const auto dst = sbuf_pattern(0, 2, 128, DType::uint32, {{1, 8}});
    const auto dst16 = sbuf_pattern(0, 2, 192, DType::uint16, {{1, 8}});
    put_values(core, data, concat(kRepeats, {5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5}));
    put_values(core, vals, concat(kRepeatVals, {0, 99, -5, 5, 1, 1, 2, 3}));
    const uint32_t none = 0xffffffffu;
    core.run(ops::nc_find_index8,
             make(Opcode::nc_find_index8, {{"dst", dst}, {"data", data}, {"vals", vals}}));
    CHECK(get_bits(core, dst) ==
          std::vector<uint32_t>{2, 4, 5, 6, 7, 8, 9, 10, 5, none, 10, 0, 4, none, 3, 2});
    core.run(ops::nc_find_index8,
             make(Opcode::nc_find_index8, {{"dst", dst16}, {"data", data}, {"vals", vals}}));
    CHECK(get_bits(core, dst16)[9] == 0xffffu);
}

TEST_CASE("nc_match_replace8: the documented example, matched from vals' last entry", "[sim]") {
    Core core;
    const auto data = sbuf_pattern(0, 1, 0, DType::float32, {{1, 11}});
    const auto vals = sbuf_pattern(0, 1, 64, DType::float32, {{1, 8}});
    const auto dst = sbuf_pattern(0, 1, 128, DType::float32, {{1, 11}});
    const auto idx = sbuf_pattern(0, 1, 192, DType::uint32, {{1, 8}});
    put_values(core, data, kRepeats);
    put_values(core, vals, kRepeatVals);
    core.run(ops::nc_match_replace8,
             make(Opcode::nc_match_replace8,
                  {{"dst", dst}, {"data", data}, {"vals", vals}, {"imm", -1.0}, {"dst_idx", idx}}));
    CHECK(get_bits(core, idx) == std::vector<uint32_t>{2, 10, 9, 8, 7, 6, 5, 4});
    CHECK(get_values(core, dst) == std::vector<float>{1, 2, -1, 4, -1, -1, -1, -1, -1, -1, -1});
    // imm equal to a searched value: a replaced element does not match again, 4 is absent
    put_values(core, vals, {-1, -1, 4, 1, 2, 2, 2, 9});
    core.run(ops::nc_match_replace8,
             make(Opcode::nc_match_replace8,
                  {{"dst", dst}, {"data", dst}, {"vals", vals}, {"imm", 4.0}, {"dst_idx", idx}}));
    const uint32_t none = 0xffffffffu;
    CHECK(get_bits(core, idx) == std::vector<uint32_t>{4, 2, 3, 0, none, none, 1, none});
    CHECK(get_values(core, dst) == std::vector<float>{4, 4, 4, 4, 4, -1, -1, -1, -1, -1, -1});
}
