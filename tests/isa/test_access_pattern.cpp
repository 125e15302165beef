#include <random>
#include <set>

#include <catch2/catch.hpp>

#include "isa/access_pattern.h"

using namespace nsim::isa;

TEST_CASE("access pattern: contiguous pattern touches one byte range", "[isa]") {
    AccessPattern ap;
    ap.num_partitions = 128;
    ap.byte_offset = 256;
    ap.dtype = DType::bfloat16;
    ap.dims = {{64, 4}, {1, 64}};
    CHECK(ap.free_size() == 256);
    CHECK(ap.is_contiguous());
    REQUIRE(ap.byte_ranges().size() == 1);
    CHECK(ap.byte_ranges()[0] == ByteRange{256, 256 + 512});
}

TEST_CASE("access pattern: strided pattern touches only its elements", "[isa]") {
    AccessPattern ap;
    ap.dtype = DType::float32;
    ap.dims = {{2, 4}};  // elements 0, 2, 4, 6
    auto r = ap.byte_ranges();
    REQUIRE(r.size() == 4);
    CHECK(r[1] == ByteRange{8, 12});
    CHECK(ap.end_element() == 7);
}

TEST_CASE("access pattern: negative steps walk backwards from the offset", "[isa]") {
    AccessPattern ap;
    ap.dtype = DType::float32;
    ap.byte_offset = 40;
    ap.dims = {{-1, 4}};  // elements 10, 9, 8, 7
    CHECK(ap.min_element() == -3);
    std::vector<uint64_t> seen;
    ap.for_each_byte_offset([&](uint64_t o) { seen.push_back(o); });
    CHECK(seen == std::vector<uint64_t>{40, 36, 32, 28});
    CHECK(ap.byte_ranges() == std::vector<ByteRange>{{28, 44}});
}

// The oracle: every element's bytes, enumerated one by one, sorted and merged.
std::vector<ByteRange> enumerated_ranges(const AccessPattern& ap) {
    std::set<uint64_t> bytes;
    const uint64_t esize = dtype_size(ap.dtype);
    ap.for_each_byte_offset([&](uint64_t o) {
        for (uint64_t b = o; b < o + esize; ++b) bytes.insert(b);
    });
    std::vector<ByteRange> ranges;
    for (uint64_t b : bytes) {
        if (!ranges.empty() && ranges.back().end == b)
            ++ranges.back().end;
        else
            ranges.push_back({b, b + 1});
    }
    return ranges;
}

TEST_CASE("access pattern: byte ranges equal the enumerated bytes of any pattern", "[isa]") {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> step(-6, 6), num(0, 5), rank(0, 4), type(0, 2);
    const DType types[] = {DType::float32, DType::bfloat16, DType::int8};
    for (int trial = 0; trial < 2000; ++trial) {
        AccessPattern ap;
        ap.dtype = types[type(rng)];
        ap.byte_offset = 512;  // room for four dims of negative steps
        for (int k = rank(rng); k > 0; --k) ap.dims.push_back({step(rng), uint32_t(num(rng))});
        INFO("trial " << trial);
        REQUIRE(ap.byte_ranges() == enumerated_ranges(ap));
    }
}

TEST_CASE("access pattern: steps of zero cost the distinct bytes, not the elements", "[isa]") {
    AccessPattern ap;
    ap.dtype = DType::float32;
    ap.dims = {{0, 20000}, {0, 15000}, {3, 2}};  // 6e8 elements on two words
    CHECK(ap.byte_ranges() == std::vector<ByteRange>{{0, 4}, {12, 16}});
    ap.dims = {{1, 60000}, {60000, 60000}};  // 3.6e9 elements, one contiguous run
    CHECK(ap.byte_ranges() == std::vector<ByteRange>{{0, 4ull * 3600000000ull}});
}

TEST_CASE("access pattern: start-partition rule follows the partition count", "[isa]") {
    CHECK(valid_start_partition(0, 128, 128));
    CHECK_FALSE(valid_start_partition(32, 96, 128));
    CHECK(valid_start_partition(64, 64, 128));
    CHECK_FALSE(valid_start_partition(32, 64, 128));
    CHECK(valid_start_partition(96, 32, 128));
    CHECK_FALSE(valid_start_partition(16, 16, 128));
    CHECK_FALSE(valid_start_partition(0, 129, 128));
}

TEST_CASE("access pattern: a 256-partition array keeps aligned blocks of quadrants", "[isa]") {
    CHECK(valid_start_partition(0, 256, 256));
    CHECK(valid_start_partition(0, 129, 256));
    CHECK_FALSE(valid_start_partition(128, 129, 256));
    CHECK(valid_start_partition(128, 128, 256));
    CHECK_FALSE(valid_start_partition(64, 128, 256));
    CHECK(valid_start_partition(192, 64, 256));
    CHECK(valid_start_partition(224, 32, 256));
    CHECK_FALSE(valid_start_partition(240, 16, 256));
    CHECK_FALSE(valid_start_partition(0, 257, 256));
    CHECK(valid_start_partition(0, 32, 32));
    CHECK_FALSE(valid_start_partition(32, 32, 32));
}

TEST_CASE("access pattern: footprints overlap only on shared partitions and bytes", "[isa]") {
    AccessPattern a;
    a.num_partitions = 64;
    a.dims = {{1, 16}};
    AccessPattern b = a;
    b.start_partition = 64;
    CHECK_FALSE(overlap(footprint(a), footprint(b)));
    b.start_partition = 0;
    b.byte_offset = 60;  // bytes 60..123 overlap 0..63 at 60..63
    auto o = overlap(footprint(a), footprint(b));
    REQUIRE(o);
    CHECK(o->bytes == ByteRange{60, 64});
    b.space = MemSpace::psum;
    CHECK_FALSE(overlap(footprint(a), footprint(b)));
}

TEST_CASE("access pattern: HBM footprints use the row stride", "[isa]") {
    AccessPattern a;
    a.space = MemSpace::hbm;
    a.tensor = "x";
    a.start_partition = 2;
    a.num_partitions = 2;
    a.partition_stride_bytes = 1024;
    a.dims = {{1, 8}};  // 32 bytes of rows 2 and 3
    auto fp = footprint(a);
    CHECK(fp.ranges == std::vector<ByteRange>{{2048, 2080}, {3072, 3104}});
    AccessPattern b = a;
    b.start_partition = 3;
    b.num_partitions = 1;
    CHECK(overlap(footprint(a), footprint(b)));
    b.tensor = "y";
    CHECK_FALSE(overlap(footprint(a), footprint(b)));
}
