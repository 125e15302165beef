// The sync pass on collectives: asynchronous like a DMA (the issuing engine goes on), completion
// signalled by a semaphore that every later reader or writer of their HBM buffers waits for.
#include <catch2/catch.hpp>

#include "compiler/sync_insertion.h"
#include "isa/kernel_text.h"
#include "sync_test_programs.h"

using namespace nsim;
using isa::SemWait;
using Waits = std::vector<SemWait>;

namespace {

const std::string kHeader = R"(kernel k
target v2
tensor grad [128,64] f32 input
tensor sum [128,64] f32 output
tensor shard [4,64] f32 output
tensor all [128,64] f32 output
)";

std::vector<isa::Instruction> sync(const std::string& body) {
    const auto p = isa::parse_kernel(kHeader + body, "k.nki");
    const auto out = compiler::insert_sync(p, isa::default_limits(isa::Generation::v2), "k.nki");
    return test::in_program_order(p, out);
}

}  // namespace

TEST_CASE("sync: a reader of a collective's output waits for its completion semaphore",
          "[compiler]") {
    const auto r = sync(
        "all_reduce dst=sum src=grad group=[[1,32]]\n"
        "dma_copy dst=sbuf[0:128]@0.f32[64] src=sum\n");
    REQUIRE(r[0].incs.size() == 1);
    CHECK(r[1].waits == Waits{{r[0].incs[0].sem, 1}});
}

TEST_CASE("sync: collectives of one engine may complete out of order, so a dependent one waits",
          "[compiler]") {
    // all_gather reads the shard reduce_scatter writes; both are issued by the sync engine.
    const auto r = sync(
        "reduce_scatter dst=shard src=grad group=[[1,32]]\n"
        "all_gather dst=all src=shard group=[[1,32]]\n");
    REQUIRE(r[0].incs.size() == 1);
    CHECK(r[1].waits == Waits{{r[0].incs[0].sem, 1}});
}

TEST_CASE("sync: an engine goes on after issuing a collective, and independent work does not wait",
          "[compiler]") {
    const auto r = sync(
        "all_reduce dst=sum src=grad group=[[1,32]]\n"
        "dma_copy dst=sbuf[0:128]@0.f32[64] src=grad\n"
        "memset dst=sbuf[0:128]@1024.f32[64] value=0\n");
    CHECK(r[0].incs.empty());  // nobody waits for it
    CHECK(r[1].waits.empty());
    CHECK(r[2].waits.empty());
}
