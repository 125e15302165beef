// The dependence test of the sync pass: conflicts() first rules pairs out by the memory spaces
// each instruction writes and touches, by each instruction's bounding box in each on-chip space and
// by each operand's, then compares the exact bytes.
#include <catch2/catch.hpp>

#include "compiler/memory_effects.h"
#include "isa/parallel.h"
#include "sync_test_programs.h"

using namespace nsim;
using namespace nsim::test;
using isa::Engine;

namespace {

bool conflict(const isa::Instruction& a, const isa::Instruction& b,
              const isa::Program& program = sequential({})) {
    isa::Program both = program;
    both.instructions = {a, b};
    const compiler::MemoryEffects effects(both);
    const bool ab = effects.conflicts(0, 1);
    CHECK(ab == effects.conflicts(1, 0));  // symmetric
    return ab;
}

}  // namespace

TEST_CASE("memory effects: the operands that read or write memory", "[compiler]") {
    const compiler::MemoryEffects e(
        sequential({copy(Engine::vector, psum(0, 128, 64, 16), sbuf(0, 128, 1024, 8, 2)),
                    memset(Engine::vector, sbuf(0, 128, 0, 4))}));
    CHECK(e.access_count(0) == 2);
    CHECK(e.access_count(1) == 1);  // memset's value is an immediate
}

TEST_CASE("memory effects: conflicts need a shared byte that one of the two writes", "[compiler]") {
    const auto X = sbuf(0, 128, 0, 64), Y = sbuf(0, 128, 1024, 64);
    SECTION("a write and a read of the same bytes") {
        CHECK(conflict(memset(Engine::vector, X), copy(Engine::scalar, Y, X)));
    }
    SECTION("two reads of the same bytes") {
        CHECK_FALSE(
            conflict(copy(Engine::vector, Y, X), copy(Engine::scalar, sbuf(0, 128, 4096, 64), X)));
    }
    SECTION("the same offsets in PSUM and SBUF") {
        CHECK_FALSE(
            conflict(memset(Engine::vector, X), memset(Engine::scalar, psum(0, 128, 0, 64))));
    }
    SECTION("boxes that meet, bytes that do not: every other element each") {
        const auto even = sbuf(0, 128, 0, 32, 2), odd = sbuf(0, 128, 4, 32, 2);
        CHECK_FALSE(conflict(memset(Engine::vector, even), memset(Engine::scalar, odd)));
        CHECK(conflict(memset(Engine::vector, even), memset(Engine::scalar, sbuf(0, 128, 8, 1))));
    }
    SECTION("the same bytes in other partitions") {
        CHECK_FALSE(conflict(memset(Engine::vector, sbuf(0, 64, 0, 64)),
                             memset(Engine::scalar, sbuf(64, 64, 0, 64))));
    }
    SECTION("the boxes of one instruction's several accesses") {
        // Reads below and above a write of the other: the box of the reads covers it.
        const auto a = copy(Engine::vector, sbuf(0, 128, 0, 4), sbuf(0, 128, 64, 4));
        CHECK(conflict(a, memset(Engine::scalar, sbuf(0, 128, 8, 4))));
        CHECK_FALSE(conflict(a, memset(Engine::scalar, sbuf(0, 128, 32, 4))));
    }
    SECTION("an instruction's boxes are per space: a PSUM bank and the eviction of another") {
        // Each writes PSUM or SBUF bytes inside the other's box of all its operands' bytes.
        const auto evict = [](uint64_t bank) {
            return copy(Engine::vector, sbuf(0, 128, 512, 16), psum(0, 128, bank * 2048, 16));
        };
        const auto accumulate = copy(Engine::scalar, psum(0, 128, 0, 16), sbuf(0, 128, 1024, 16));
        CHECK_FALSE(conflict(accumulate, evict(1)));
        CHECK(conflict(accumulate, evict(0)));
        CHECK(conflict(accumulate,
                       copy(Engine::vector, sbuf(0, 128, 1024, 1), psum(0, 128, 4096, 1))));
    }
    SECTION("bytes past 4 GiB in a partition (a program not verified) are still told apart") {
        const uint64_t far = uint64_t(5) << 30;
        CHECK(conflict(memset(Engine::vector, sbuf(0, 128, far, 64)),
                       copy(Engine::scalar, Y, sbuf(0, 128, far + 128, 1))));
        CHECK_FALSE(conflict(memset(Engine::vector, sbuf(0, 128, far, 64)),
                             copy(Engine::scalar, Y, sbuf(0, 128, far + 1024, 1))));
        CHECK(conflict(memset(Engine::vector, sbuf(0, 128, far, 64)),
                       copy(Engine::scalar, Y, sbuf(0, 128, far + 252, 1))));
        CHECK_FALSE(
            conflict(memset(Engine::vector, sbuf(0, 128, far, 64)), memset(Engine::scalar, X)));
    }
    SECTION("HBM rows of two tensors at the same offsets") {
        const auto program = sequential({}, {tensor("a", 4, 16), tensor("b", 4, 16)});
        CHECK_FALSE(
            conflict(dma(hbm("a", 0, 4, 0, 16), Y), dma(hbm("b", 0, 4, 0, 16), Y), program));
        CHECK(conflict(dma(hbm("a", 0, 4, 0, 16), Y), dma(X, hbm("a", 3, 1, 8, 2)), program));
        // Names the program does not declare (it was not verified) are told apart too.
        CHECK_FALSE(conflict(dma(hbm("u", 0, 4, 0, 16), Y), dma(hbm("v", 0, 4, 0, 16), Y)));
        CHECK(conflict(dma(hbm("u", 0, 4, 0, 16), Y), dma(X, hbm("u", 0, 4, 0, 16))));
    }
    SECTION("tiles of a wide HBM tensor: rows and columns must both meet") {
        // 8 rows of 64 f32: a tile is a band of rows times a band of columns (bytes per row).
        const auto program = sequential({}, {tensor("c", 8, 64)});
        const auto store = [&](uint32_t row, uint32_t rows, uint64_t offset, uint32_t count) {
            return dma(hbm("c", row, rows, offset, count), X);
        };
        CHECK_FALSE(conflict(store(0, 4, 0, 16), store(0, 4, 64, 16), program));  // columns apart
        CHECK_FALSE(conflict(store(0, 4, 0, 16), store(4, 4, 0, 16), program));   // rows apart
        CHECK_FALSE(conflict(store(0, 4, 64, 16), store(4, 4, 0, 64), program));  // rows apart
        CHECK(conflict(store(0, 4, 0, 16), store(3, 2, 60, 2), program));         // one row, 4 B
        CHECK(conflict(store(2, 1, 0, 64), dma(Y, hbm("c", 0, 8, 128, 1)), program));
        CHECK_FALSE(conflict(store(2, 1, 0, 32), dma(Y, hbm("c", 0, 8, 128, 1)), program));
        // A whole-tensor read against a one-element tile, and rows of one that end a row.
        CHECK(conflict(store(7, 1, 252, 1), dma(Y, hbm("c", 0, 8, 0, 64)), program));
    }
    SECTION("HBM rows that interleave: an operand wider than the declared row") {
        // Rows of 16 f32 (64 bytes), each read 32 elements wide: row r reaches into row r+1.
        const auto program = sequential({}, {tensor("d", 8, 16)});
        const auto wide = dma(X, hbm("d", 0, 2, 0, 32));                      // bytes [0, 192)
        CHECK(conflict(wide, dma(hbm("d", 2, 1, 0, 16), Y), program));        // row 2: [128, 192)
        CHECK_FALSE(conflict(wide, dma(hbm("d", 3, 1, 0, 16), Y), program));  // [192, 256)
        const auto tile = dma(hbm("d", 2, 2, 32, 4), Y);  // [160, 176) and [224, 240)
        CHECK(conflict(wide, tile, program));
        CHECK_FALSE(conflict(dma(X, hbm("d", 0, 2, 0, 24)), tile, program));  // ends at 160
    }
}

TEST_CASE("memory effects: a long program, found in slices, answers as each pair alone",
          "[compiler]") {
    // Enough instructions for two slices and more (found on several threads where the machine
    // has cores): copies between SBUF tiles, stores to tiles of an HBM tensor and memsets in PSUM.
    const size_t count = 2 * isa::kMinSliceInstructions + 4000;
    std::vector<isa::Instruction> insts;
    for (uint32_t i = 0; i < count; ++i) {
        const uint64_t tile = 256 * (i % 37);
        if (i % 3 == 0)
            insts.push_back(copy(Engine::vector, sbuf(0, 128, tile, 64), sbuf(0, 128, 9472, 64)));
        else if (i % 3 == 1)
            insts.push_back(dma(hbm("c", 8 * (i % 5), 8, 4 * (i % 7), 16), sbuf(0, 8, tile, 16)));
        else
            insts.push_back(memset(Engine::scalar, psum(0, 64 + 64 * (i % 2), tile, 16)));
    }
    const auto program = sequential(insts, {tensor("c", 64, 64)});
    const compiler::MemoryEffects effects(program);
    const auto declarations = sequential({}, {tensor("c", 64, 64)});  // for the pairs alone
    REQUIRE(effects.size() == insts.size());
    size_t pairs = 0, conflicting = 0;
    for (size_t a = 0; a < insts.size(); a += 577)
        for (size_t b = 1; b < insts.size(); b += 6007) {
            INFO("instructions " << a << " and " << b);
            const bool found = effects.conflicts(a, b);
            CHECK(found == conflict(insts[a], insts[b], declarations));
            ++pairs;
            conflicting += found;
        }
    CHECK(conflicting > 0);  // both answers are tested
    CHECK(conflicting < pairs);
}
