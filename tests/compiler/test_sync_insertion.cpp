// The sync pass on hand-made programs: each test names one rule of where waits go and where not.
#include <catch2/catch.hpp>

#include "compiler/sync_insertion.h"
#include "sync_test_programs.h"

using namespace nsim;
using namespace nsim::test;
using isa::Engine;
using isa::SemInc;
using isa::SemWait;
using Waits = std::vector<SemWait>;
using Incs = std::vector<SemInc>;

namespace {

const isa::TargetLimits kLimits = isa::default_limits(isa::Generation::v2);

// Runs the pass and returns the result in the sequential program's order.
std::vector<isa::Instruction> sync(const isa::Program& p) {
    const auto out = compiler::insert_sync(p, kLimits, "test.nki");
    REQUIRE(out.form == isa::ProgramForm::streams);
    return in_program_order(p, out);
}

size_t wait_count(const std::vector<isa::Instruction>& r) {
    size_t n = 0;
    for (const auto& inst : r) n += inst.waits.size();
    return n;
}

const auto X = sbuf(0, 128, 0, 64);
const auto Y = sbuf(0, 128, 1024, 64);
const auto Z = sbuf(0, 128, 2048, 64);

}  // namespace

TEST_CASE("sync: a read after a write on another engine waits once for the writer", "[compiler]") {
    const auto r = sync(sequential({memset(Engine::vector, X), copy(Engine::scalar, Y, X)}));
    CHECK(r[0].waits.empty());
    CHECK(r[0].incs == Incs{{0, 1}});
    CHECK(r[1].waits == Waits{{0, 1}});
    CHECK(r[1].incs.empty());
}

TEST_CASE("sync: a write after a read or a write on another engine waits", "[compiler]") {
    SECTION("WAR") {
        const auto r = sync(sequential({copy(Engine::scalar, Y, X), memset(Engine::gpsimd, X)}));
        CHECK(r[1].waits == Waits{{0, 1}});
    }
    SECTION("WAW") {
        const auto r = sync(sequential({memset(Engine::vector, X), memset(Engine::gpsimd, X)}));
        CHECK(r[1].waits == Waits{{0, 1}});
    }
}

TEST_CASE("sync: independent instructions on different engines get no waits", "[compiler]") {
    // Reads of the same bytes do not conflict either.
    const auto r = sync(sequential({copy(Engine::vector, Y, X), copy(Engine::scalar, Z, X),
                                    memset(Engine::gpsimd, sbuf(0, 128, 4096, 8))}));
    CHECK(wait_count(r) == 0);
    for (const auto& inst : r) CHECK(inst.incs.empty());
}

TEST_CASE("sync: a chain on one engine needs no waits", "[compiler]") {
    const auto r = sync(sequential({memset(Engine::vector, X), copy(Engine::vector, Y, X),
                                    copy(Engine::vector, X, Y), copy(Engine::vector, Y, X)}));
    CHECK(wait_count(r) == 0);
}

TEST_CASE("sync: compute after a DMA load waits on the DMA's counter", "[compiler]") {
    const auto a = tensor("a", 128, 64);
    SECTION("issued by the sync engine") {
        const auto r =
            sync(sequential({dma(X, hbm("a", 0, 128, 0, 64)), copy(Engine::vector, Y, X)}, {a}));
        CHECK(r[0].incs == Incs{{0, 1}});
        CHECK(r[1].waits == Waits{{0, 1}});
    }
    SECTION("even on the issuing engine, which does not wait for its transfers") {
        const auto r = sync(sequential(
            {dma(X, hbm("a", 0, 128, 0, 64), Engine::vector), copy(Engine::vector, Y, X)}, {a}));
        CHECK(r[1].waits == Waits{{0, 1}});
    }
}

TEST_CASE("sync: a DMA store after compute on its issuing engine needs no wait", "[compiler]") {
    const auto a = tensor("a", 128, 64);
    SECTION("same engine") {
        const auto r = sync(sequential(
            {memset(Engine::vector, X), dma(hbm("a", 0, 128, 0, 64), X, Engine::vector)}, {a}));
        CHECK(wait_count(r) == 0);
    }
    SECTION("another engine") {
        const auto r =
            sync(sequential({memset(Engine::vector, X), dma(hbm("a", 0, 128, 0, 64), X)}, {a}));
        CHECK(r[1].waits == Waits{{0, 1}});
    }
}

TEST_CASE("sync: a wait another wait implies is not repeated", "[compiler]") {
    // A (vector) -> B (scalar) waits A; C (gpsimd) needs A and B: waiting for B brings A along.
    const auto r = sync(sequential({memset(Engine::vector, X), copy(Engine::scalar, Y, X),
                                    make(isa::Opcode::tensor_tensor, Engine::gpsimd,
                                         {{"dst", Z}, {"data1", X}, {"data2", Y}})}));
    CHECK(r[1].waits == Waits{{0, 1}});
    CHECK(r[2].waits == Waits{{1, 1}});
    CHECK(wait_count(r) == 2);
}

TEST_CASE("sync: a later instruction of the same engine inherits its waits' knowledge",
          "[compiler]") {
    const auto r = sync(sequential(
        {memset(Engine::vector, X), copy(Engine::scalar, Y, X), copy(Engine::scalar, Z, X)}));
    CHECK(r[1].waits == Waits{{0, 1}});
    CHECK(r[2].waits.empty());
}

TEST_CASE("sync: DMAs from one engine on one queue are FIFO, other queues are not", "[compiler]") {
    const auto a = tensor("a", 128, 64);
    const auto b = tensor("b", 128, 64);
    const auto load = dma(X, hbm("a", 0, 128, 0, 64));
    SECTION("same engine, same queue") {
        const auto r = sync(sequential({load, dma(hbm("b", 0, 128, 0, 64), X)}, {a, b}));
        CHECK(wait_count(r) == 0);
    }
    SECTION("another queue") {
        const auto r =
            sync(sequential({load, dma(hbm("b", 0, 128, 0, 64), X, Engine::sync, 1)}, {a, b}));
        CHECK(r[1].waits == Waits{{0, 1}});
    }
    SECTION("same queue, another issuing engine") {
        const auto r =
            sync(sequential({load, dma(hbm("b", 0, 128, 0, 64), X, Engine::gpsimd)}, {a, b}));
        CHECK(r[1].waits == Waits{{0, 1}});
    }
}

TEST_CASE("sync: partially overlapping bytes conflict, disjoint partitions or bytes do not",
          "[compiler]") {
    const auto w = sbuf(0, 32, 0, 4);  // bytes 0..15 of partitions 0..31
    SECTION("one shared byte range") {
        const auto r = sync(
            sequential({memset(Engine::vector, w), copy(Engine::scalar, Y, sbuf(0, 32, 12, 4))}));
        CHECK(r[1].waits.size() == 1);
    }
    SECTION("one shared partition") {
        const auto r = sync(
            sequential({memset(Engine::vector, w), copy(Engine::scalar, Y, sbuf(31, 2, 0, 4))}));
        CHECK(r[1].waits.size() == 1);
    }
    SECTION("disjoint partitions") {
        const auto r = sync(
            sequential({memset(Engine::vector, w), copy(Engine::scalar, Y, sbuf(32, 32, 0, 4))}));
        CHECK(r[1].waits.empty());
    }
    SECTION("adjacent bytes") {
        const auto r = sync(
            sequential({memset(Engine::vector, w), copy(Engine::scalar, Y, sbuf(0, 32, 16, 4))}));
        CHECK(r[1].waits.empty());
    }
    SECTION("interleaved strides") {
        // Even elements written, odd ones read: same bounding box, no common byte.
        const auto r = sync(sequential({memset(Engine::vector, sbuf(0, 32, 0, 4, 2)),
                                        copy(Engine::scalar, Y, sbuf(0, 32, 4, 4, 2))}));
        CHECK(r[1].waits.empty());
    }
    SECTION("SBUF and PSUM are different memories") {
        const auto r = sync(
            sequential({memset(Engine::vector, w), copy(Engine::scalar, Y, psum(0, 32, 0, 4))}));
        CHECK(r[1].waits.empty());
    }
}

TEST_CASE("sync: HBM accesses conflict by tensor name and rows", "[compiler]") {
    const std::vector<isa::TensorDecl> t = {tensor("a", 8, 16), tensor("b", 8, 16)};
    const auto store = dma(hbm("a", 0, 4, 0, 16), X);  // rows 0..3 of a
    SECTION("another tensor") {
        const auto r = sync(sequential({store, dma(Y, hbm("b", 0, 4, 0, 16), Engine::sync, 1)}, t));
        CHECK(r[1].waits.empty());
    }
    SECTION("the same tensor") {
        const auto r = sync(sequential({store, dma(Y, hbm("a", 3, 1, 60, 1), Engine::sync, 1)}, t));
        CHECK(r[1].waits == Waits{{0, 1}});
    }
    SECTION("other rows of the same tensor, placed by the declared row size") {
        const auto r = sync(sequential({store, dma(Y, hbm("a", 4, 4, 0, 16), Engine::sync, 1)}, t));
        CHECK(r[1].waits.empty());
    }
}

TEST_CASE("sync: only instructions someone waits for increment, and counts skip the others",
          "[compiler]") {
    const auto r = sync(sequential({
        memset(Engine::vector, X),                       // 0: awaited by 2 -> count 1
        memset(Engine::vector, Z),                       // 1: nobody reads Z on another engine
        copy(Engine::scalar, Y, X),                      // 2: waits s0>=1
        memset(Engine::vector, sbuf(0, 128, 4096, 4)),   // 3: awaited by 4 -> count 2
        copy(Engine::scalar, Y, sbuf(0, 128, 4096, 4)),  // 4: waits s0>=2
    }));
    CHECK(r[0].incs == Incs{{0, 1}});
    CHECK(r[1].incs.empty());
    CHECK(r[3].incs == Incs{{0, 1}});
    CHECK(r[2].waits == Waits{{0, 1}});
    CHECK(r[4].waits == Waits{{0, 2}});
    CHECK(r[2].incs.empty());
    CHECK(r[4].incs.empty());
}

TEST_CASE("sync: semaphores are numbered from 0 in order of first use", "[compiler]") {
    const auto a = tensor("a", 128, 64);
    const auto r = sync(sequential(
        {
            memset(Engine::gpsimd, Z),        // unused by others: no semaphore
            dma(X, hbm("a", 0, 128, 0, 64)),  // first awaited stream: s0
            memset(Engine::vector, Y),        // second: s1
            make(isa::Opcode::tensor_tensor, Engine::gpsimd,
                 {{"dst", Z}, {"data1", X}, {"data2", Y}}),
        },
        {a}));
    CHECK(r[1].incs == Incs{{0, 1}});
    CHECK(r[2].incs == Incs{{1, 1}});
    CHECK(r[3].waits == Waits{{0, 1}, {1, 1}});
}

TEST_CASE("sync: the result is in streams form, grouped by engine in engine order", "[compiler]") {
    auto p = sequential({memset(Engine::gpsimd, Z), memset(Engine::vector, X),
                         copy(Engine::scalar, Y, X), memset(Engine::vector, Y)});
    p.instructions[2].comments = {" scale"};
    const auto out = compiler::insert_sync(p, kLimits, "test.nki");
    CHECK(out.form == isa::ProgramForm::streams);
    REQUIRE(out.instructions.size() == 4);
    CHECK(out.instructions[0].engine == Engine::vector);
    CHECK(out.instructions[0].op == isa::Opcode::memset);
    CHECK(out.instructions[1].engine == Engine::vector);
    CHECK(*out.instructions[1].ap("dst") == Y);  // program order kept within the engine
    CHECK(out.instructions[2].engine == Engine::scalar);
    CHECK(out.instructions[2].comments == std::vector<std::string>{" scale"});
    CHECK(out.instructions[3].engine == Engine::gpsimd);
}

TEST_CASE("sync: a streams program is returned unchanged", "[compiler]") {
    auto p = sequential({memset(Engine::vector, X), copy(Engine::scalar, Y, X)});
    p.form = isa::ProgramForm::streams;
    p.instructions[1].waits = {{7, 3}};
    CHECK(compiler::insert_sync(p, kLimits, "test.nki") == p);
}

TEST_CASE("sync: a sequential program with waits or incs is rejected at the instruction",
          "[compiler]") {
    auto p = sequential({memset(Engine::vector, X), copy(Engine::scalar, Y, X)});
    p.instructions[1].waits = {{0, 1}};
    p.instructions[1].loc = {3, 1};
    try {
        compiler::insert_sync(p, kLimits, "k.nki");
        FAIL("expected a KernelError");
    } catch (const isa::KernelError& e) {
        REQUIRE(e.diagnostics().size() == 1);
        CHECK(e.diagnostics()[0].loc.line == 3);
        CHECK_THAT(e.what(), Catch::Contains("k.nki:3:1") &&
                                 Catch::Contains("gets its semaphores from the sync pass"));
    }
}

TEST_CASE("sync: needing more semaphores than the target has is an error naming the limit",
          "[compiler]") {
    // The scalar activation reads X as data and part of Y as its bias (an AP in an ap_or_imm slot).
    const auto p = sequential({memset(Engine::vector, X), memset(Engine::gpsimd, Y),
                               make(isa::Opcode::activation, Engine::scalar,
                                    {{"dst", Z}, {"data", X}, {"bias", sbuf(0, 128, 1024, 1)}})});
    auto limits = kLimits;
    limits.semaphores = 2;
    CHECK(wait_count(sync(p)) == 2);
    CHECK_NOTHROW(compiler::insert_sync(p, limits, "k.nki"));
    limits.semaphores = 1;
    CHECK_THROWS_WITH(compiler::insert_sync(p, limits, "k.nki"),
                      Catch::Contains("needs 2 semaphores") &&
                          Catch::Contains("limits.semaphores") &&
                          Catch::Contains("at most the target's 1"));
}

TEST_CASE("sync: positions in a stream past 65,535 instructions stay exact", "[compiler]") {
    // The scalar engine waits for the vector engine's 70,002nd instruction, which completes after
    // its 10,000th (one engine, in order): a read of what that one wrote needs no second wait. A
    // clock that wrapped at 2^16 would think it unknown and wait again.
    std::vector<isa::Instruction> body;
    for (int i = 1; i <= 70002; ++i)
        body.push_back(memset(Engine::vector, i == 10000 ? X : i == 70002 ? Y : Z));
    body.push_back(copy(Engine::scalar, sbuf(0, 128, 8192, 64), Y));
    body.push_back(copy(Engine::scalar, sbuf(0, 128, 12288, 64), X));
    const auto r = sync(sequential(body));
    CHECK(r[70002].waits == Waits{{0, 1}});
    CHECK(r[70003].waits.empty());
}
