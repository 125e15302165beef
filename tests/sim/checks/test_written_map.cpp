#include <catch2/catch.hpp>

#include "sim/checks/written_map.h"

using namespace nsim;

namespace {

isa::Footprint fp(uint32_t p0, uint32_t p1, std::vector<isa::ByteRange> ranges) {
    isa::Footprint f;
    f.partition_begin = p0;
    f.partition_end = p1;
    f.ranges = std::move(ranges);
    return f;
}

}  // namespace

TEST_CASE("written map: nothing is written at first", "[sim]") {
    sim::WrittenMap m;
    auto hole = m.first_unwritten(fp(0, 128, {{0, 64}}));
    REQUIRE(hole);
    CHECK(hole->partition == 0);
    CHECK(hole->bytes == isa::ByteRange{0, 64});
}

TEST_CASE("written map: a written rectangle reads back as written, its edges do not", "[sim]") {
    sim::WrittenMap m;
    m.mark(fp(0, 64, {{100, 200}}));
    CHECK_FALSE(m.first_unwritten(fp(0, 64, {{100, 200}})));
    CHECK_FALSE(m.first_unwritten(fp(10, 20, {{150, 160}})));
    auto other_partitions = m.first_unwritten(fp(60, 70, {{100, 200}}));
    REQUIRE(other_partitions);
    CHECK(other_partitions->partition == 64);
    auto past_end = m.first_unwritten(fp(0, 64, {{150, 201}}));
    REQUIRE(past_end);
    CHECK(past_end->bytes == isa::ByteRange{200, 201});
}

TEST_CASE("written map: overlapping writes on different partitions combine", "[sim]") {
    sim::WrittenMap m;
    m.mark(fp(0, 64, {{0, 100}}));
    m.mark(fp(64, 128, {{50, 150}}));
    CHECK_FALSE(m.first_unwritten(fp(0, 128, {{50, 100}})));
    auto hole = m.first_unwritten(fp(0, 128, {{0, 150}}));
    REQUIRE(hole);
    CHECK(hole->partition == 64);
    CHECK(hole->bytes == isa::ByteRange{0, 50});
    m.mark(fp(64, 128, {{0, 50}}));
    m.mark(fp(0, 64, {{100, 150}}));
    CHECK_FALSE(m.first_unwritten(fp(0, 128, {{0, 150}})));
    CHECK(m.segments() == 1);  // merged back into one interval
}

TEST_CASE("written map: strided footprints are checked range by range", "[sim]") {
    sim::WrittenMap m;
    m.mark(fp(0, 128, {{0, 4}, {8, 12}}));
    CHECK_FALSE(m.first_unwritten(fp(0, 128, {{0, 4}, {8, 12}})));
    auto hole = m.first_unwritten(fp(0, 128, {{0, 12}}));
    REQUIRE(hole);
    CHECK(hole->bytes == isa::ByteRange{4, 8});
}

// The core skips marking an operand it knows to be written: that must leave the map as it was,
// down to the byte ranges a later never-written report names.
TEST_CASE("written map: marking written bytes again changes nothing", "[sim]") {
    sim::WrittenMap all, skipping;
    uint64_t state = 12345;
    const auto next = [&state](uint64_t bound) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return (state >> 33) % bound;
    };
    for (int i = 0; i < 2000; ++i) {
        const uint32_t p0 = uint32_t(next(128)), p1 = p0 + 1 + uint32_t(next(128 - p0));
        const uint64_t b0 = next(4096), b1 = b0 + 1 + next(512);
        const uint64_t b2 = b1 + next(64), b3 = b2 + 1 + next(64);
        const auto f = fp(p0, p1, {{b0, b1}, {b2 == b1 ? b1 + 1 : b2, b3 + 1}});
        REQUIRE(bool(all.first_unwritten(f)) == bool(skipping.first_unwritten(f)));
        if (auto hole = all.first_unwritten(f)) {
            CHECK(hole->partition == skipping.first_unwritten(f)->partition);
            CHECK(hole->bytes == skipping.first_unwritten(f)->bytes);
        }
        if (next(3) == 0) continue;  // a read only
        if (skipping.first_unwritten(f)) skipping.mark(f);
        all.mark(f);
        REQUIRE(all.segments() == skipping.segments());
    }
}
