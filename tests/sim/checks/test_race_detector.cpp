#include <catch2/catch.hpp>

#include "sim/checks/race_detector.h"

using namespace nsim;

namespace {

isa::Footprint fp(isa::MemSpace space, uint32_t p0, uint32_t p1, uint64_t b0, uint64_t b1) {
    isa::Footprint f;
    f.space = space;
    f.partition_begin = p0;
    f.partition_end = p1;
    f.ranges = {{b0, b1}};
    return f;
}

const isa::Instruction kFirst{}, kSecond{}, kThird{}, kFourth{};

}  // namespace

TEST_CASE("race detector: a write is reported against reads and writes in their agent's order",
          "[sim]") {
    sim::RaceDetector d;
    sim::VectorClock a, b;
    const auto x = fp(isa::MemSpace::sbuf, 0, 128, 0, 256);
    // Agent 0 reads, writes, reads and writes x, one epoch each; agent 1 has seen none of it.
    d.access(0, a, x, false, {&kFirst, "a"});
    a.tick(0);
    d.access(0, a, x, true, {&kSecond, "a"});
    a.tick(0);
    d.access(0, a, x, false, {&kThird, "a"});
    a.tick(0);
    d.access(0, a, x, true, {&kFourth, "a"});
    d.access(1, b, x, true, {&kFirst, "b"});
    REQUIRE(d.race_count() == 4);
    const isa::Instruction* expected[] = {&kFirst, &kSecond, &kThird, &kFourth};
    for (size_t i = 0; i < 4; ++i) {
        CHECK(d.races()[i].first.inst == expected[i]);
        CHECK(d.races()[i].first_writes == (i % 2 == 1));
        CHECK(d.races()[i].second_writes);
    }
}

TEST_CASE("race detector: a read races with writes only, and only in its own memory space",
          "[sim]") {
    // The detector keeps pointers to the footprints (a core's live as long as its program).
    const auto sbuf = fp(isa::MemSpace::sbuf, 0, 128, 0, 256);
    const auto psum = fp(isa::MemSpace::psum, 0, 128, 0, 256);
    const auto psum_edge = fp(isa::MemSpace::psum, 64, 65, 255, 300);
    sim::RaceDetector d;
    sim::VectorClock a, b;
    d.access(0, a, sbuf, false, {&kFirst, "a"});
    d.access(0, a, psum, true, {&kSecond, "a"});
    d.access(1, b, sbuf, false, {&kThird, "b"});
    CHECK(d.race_count() == 0);
    d.access(1, b, psum_edge, false, {&kFourth, "b"});
    REQUIRE(d.race_count() == 1);
    CHECK(d.races()[0].first.inst == &kSecond);
    CHECK(d.races()[0].space == isa::MemSpace::psum);
    CHECK(d.races()[0].where.partition == 64);
    CHECK(d.races()[0].where.bytes == isa::ByteRange{255, 256});
}

TEST_CASE("race detector: what an agent's clock has seen is not a race, before or after pruning",
          "[sim]") {
    sim::RaceDetector d;
    sim::VectorClock a, b;
    const auto x = fp(isa::MemSpace::sbuf, 0, 128, 0, 256);
    for (int i = 0; i < 200; ++i) {  // enough for the pruned records to be dropped for good
        d.access(0, a, x, true, {&kFirst, "a"});
        a.tick(0);
    }
    d.access(0, a, x, true, {&kSecond, "a"});  // epoch 200, not seen by b below
    b.join(a);  // b has seen epochs 0..199 only: the clock's component is 200
    for (int round = 0; round < 2; ++round) {
        d.access(1, b, x, false, {&kThird, "b"});
        REQUIRE(d.race_count() == size_t(round + 1));
        CHECK(d.races()[size_t(round)].first.inst == &kSecond);
        d.prune({&a, &b});
    }
}

TEST_CASE("race detector: many accesses of two agents to disjoint bytes are no race", "[sim]") {
    std::vector<isa::Footprint> mine, theirs;
    for (uint64_t k = 0; k < 8; ++k) {
        mine.push_back(fp(isa::MemSpace::sbuf, 0, 128, k * 64, k * 64 + 64));
        theirs.push_back(fp(isa::MemSpace::sbuf, 0, 128, 4096 + k * 64, 4160 + k * 64));
    }
    const auto last_byte = fp(isa::MemSpace::sbuf, 127, 128, 511, 512);
    sim::RaceDetector d;
    sim::VectorClock a, b;
    for (size_t i = 0; i < 1000; ++i) {
        d.access(0, a, mine[i % 8], true, {&kFirst, "a"});
        a.tick(0);
        d.access(1, b, theirs[i % 8], true, {&kSecond, "b"});
        b.tick(1);
    }
    CHECK(d.race_count() == 0);
    d.access(1, b, last_byte, false, {&kThird, "b"});
    CHECK(d.race_count() == 125);   // the writes of agent 0 to bytes [448, 512): one in eight
    CHECK(d.races().size() == 20);  // the first reports only
}

TEST_CASE("race detector: interleaved rows of one HBM tensor, met again and again", "[sim]") {
    // Two column tiles of the same rows (many ranges each, so their overlap is remembered), and a
    // third that overlaps the first in its last row only.
    const auto rows = [](uint64_t column, uint64_t last_row) {
        isa::Footprint f;
        f.space = isa::MemSpace::hbm;
        f.tensor = "c";
        for (uint64_t r = 0; r < 16; ++r)
            f.ranges.push_back(
                {r * 4096 + column, r * 4096 + column + (r == 15 ? last_row : 1024)});
        return f;
    };
    const auto left = rows(0, 1024), right = rows(1024, 1024), wide_last = rows(2048, 2048);
    const auto left_again = rows(0, 1024);
    sim::RaceDetector d;
    sim::VectorClock a, b;
    for (int i = 0; i < 3; ++i) {
        d.access(0, a, left, true, {&kFirst, "a"});
        d.access(1, b, right, true, {&kSecond, "b"});
        d.access(1, b, wide_last, true, {&kThird, "b"});
    }
    CHECK(d.race_count() == 0);
    d.access(0, a, left_again, false, {&kFourth, "a"});
    CHECK(d.race_count() == 0);  // a read of what only agent 0 wrote
    const auto past_right = rows(1024 + 512, 1024);
    d.access(0, a, past_right, false, {&kFourth, "a"});
    REQUIRE(d.race_count() == 6);  // agent 1's right and wide_last writes, three times each
    CHECK(d.races()[0].where.bytes == isa::ByteRange{1536, 2048});  // against right
    CHECK(d.races()[1].where.bytes == isa::ByteRange{2048, 2560});  // against wide_last
}

TEST_CASE("race detector: after pruning, the remaining records are still found", "[sim]") {
    const auto low = fp(isa::MemSpace::sbuf, 0, 32, 0, 64);
    const auto high = fp(isa::MemSpace::sbuf, 96, 128, 8192, 8256);
    const auto middle = fp(isa::MemSpace::sbuf, 0, 128, 4096, 4160);
    sim::RaceDetector d;
    sim::VectorClock a, b;
    d.access(0, a, low, true, {&kFirst, "a"});
    a.tick(0);
    d.access(0, a, middle, true, {&kSecond, "a"});
    a.tick(0);
    d.access(0, a, high, true, {&kThird, "a"});
    sim::VectorClock seen_first;  // has seen agent 0's first access only
    seen_first.tick(0);
    b.join(seen_first);
    d.prune({&b});
    d.access(1, b, low, true, {&kFourth, "b"});
    CHECK(d.race_count() == 0);
    d.access(1, b, high, false, {&kFourth, "b"});
    REQUIRE(d.race_count() == 1);
    CHECK(d.races()[0].first.inst == &kThird);
    d.access(1, b, middle, false, {&kFourth, "b"});
    REQUIRE(d.race_count() == 2);
    CHECK(d.races()[1].first.inst == &kSecond);
}
