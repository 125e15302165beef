// The dependence test of the sync pass: conflicts() first rules pairs out by the per-space
// bounding boxes of what each instruction writes and touches, then compares the exact bytes.
#include <catch2/catch.hpp>

#include "compiler/memory_effects.h"
#include "sync_test_programs.h"

using namespace nsim;
using namespace nsim::test;
using isa::Engine;

namespace {

bool conflict(const isa::Instruction& a, const isa::Instruction& b,
              const isa::Program& program = sequential({})) {
    const auto ea = compiler::memory_effects(a, program);
    const auto eb = compiler::memory_effects(b, program);
    const bool ab = compiler::conflicts(ea, eb);
    CHECK(ab == compiler::conflicts(eb, ea));  // symmetric
    return ab;
}

}  // namespace

TEST_CASE("memory effects: the boxes hold each space's written and touched bytes", "[compiler]") {
    const auto e = compiler::memory_effects(
        copy(Engine::vector, psum(0, 128, 64, 16), sbuf(0, 128, 1024, 8, 2)), sequential({}));
    REQUIRE(e.accesses.size() == 2);
    const auto& psum_writes = e.writes[size_t(isa::MemSpace::psum)];
    CHECK(psum_writes.lowest == 64);
    CHECK(psum_writes.highest == 128);
    const auto& sbuf_touches = e.touches[size_t(isa::MemSpace::sbuf)];
    CHECK(sbuf_touches.lowest == 1024);
    CHECK(sbuf_touches.highest == 1024 + 4 * (2 * 7 + 1));
    CHECK_FALSE(e.writes[size_t(isa::MemSpace::sbuf)].meets(sbuf_touches));  // no SBUF write
    CHECK_FALSE(e.touches[size_t(isa::MemSpace::hbm)].meets(e.touches[size_t(isa::MemSpace::hbm)]));
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
    SECTION("HBM rows of two tensors at the same offsets") {
        const auto program = sequential({}, {tensor("a", 4, 16), tensor("b", 4, 16)});
        CHECK_FALSE(
            conflict(dma(hbm("a", 0, 4, 0, 16), Y), dma(hbm("b", 0, 4, 0, 16), Y), program));
        CHECK(conflict(dma(hbm("a", 0, 4, 0, 16), Y), dma(X, hbm("a", 3, 1, 8, 2)), program));
    }
}
