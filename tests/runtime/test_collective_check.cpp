// Runs over ranks and the check of their collectives: distinct generated inputs per rank, every
// output compared with a host reference, and a wrong element found.
#include <catch2/catch.hpp>

#include "isa/kernel_text.h"
#include "runtime/rank_run.h"

using namespace nsim;

namespace {

// Two ranks of a trn1 chip: every collective once, the ring's send and recv by offset.
const char* const kKernel = R"(kernel k
target v2
tensor x [4,64] f32 input
tensor b [4,64] bf16 input
tensor sum [4,64] f32 output
tensor half [2,64] bf16 output
tensor all [4,64] bf16 output
tensor prev [4,64] f32 output
all_reduce dst=sum src=x group=[[1,2]] op=add
reduce_scatter dst=half src=b group=[[1,2]] op=add
all_gather dst=all src=half group=[[1,2]]
send src=x peer_offset=1
recv dst=prev peer_offset=-1
)";

runtime::RankRunRequest request(const char* text) {
    runtime::RankRunRequest r;
    r.program = isa::parse_kernel(text, "k.nki");
    r.kernel_file = "k.nki";
    r.chip = sim::load_chip("trn1");
    r.ranks = 2;
    return r;
}

}  // namespace

TEST_CASE(
    "rank run: each rank gets its own inputs, the collectives' outputs match a host "
    "reference, and a changed element is a mismatch",
    "[runtime][sim]") {
    auto r = request(kKernel);
    const isa::Program written = r.program;  // run_ranks takes the request's
    auto run = runtime::run_ranks(r);
    REQUIRE(run.hbm.size() == 2);
    INFO(run.check.text);
    CHECK(run.check.checked);
    CHECK(run.check.ok);
    CHECK_THAT(run.check.text, Catch::Contains("sum, half, all, prev on each of 2 ranks"));
    // Distinct inputs: rank 1 receives rank 0's x, and the sum is neither rank's alone.
    const auto x0 = run.hbm[0].values("x"), x1 = run.hbm[1].values("x");
    CHECK(x0 != x1);
    CHECK(run.hbm[1].values("prev") == x0);
    CHECK(run.hbm[0].values("prev") == x1);
    CHECK(run.hbm[0].values("sum")[7] == x0[7] + x1[7]);

    // The same check on outputs one element off: found, and named.
    std::vector<sim::DeviceMemory> before(2);
    for (uint32_t rank = 0; rank < 2; ++rank) {
        before[rank].allocate(written.tensors);
        for (const char* name : {"x", "b"})
            before[rank].set_values(name, run.hbm[rank].values(name));
    }
    auto wrong = run.hbm;
    auto all = wrong[1].values("all");
    all[100] += 0.5f;
    wrong[1].set_values("all", all);
    const auto bad = runtime::check_collectives(written, r.chip.limits, before, wrong);
    CHECK(bad.checked);
    CHECK_FALSE(bad.ok);
    CHECK_THAT(bad.text, Catch::Contains("MISMATCH: 1 elements differ") &&
                             Catch::Contains("rank 1 all[100]"));
}

TEST_CASE("rank run: a kernel that computes on the engines is run but not checked",
          "[runtime][sim]") {
    auto r = request(R"(kernel k
target v2
tensor x [4,64] f32 input
tensor y [4,64] f32 output
all_reduce dst=y src=x group=[[1,2]] op=add
dma_copy dst=sbuf[0:4]@0.f32[64] src=y
)");
    const auto run = runtime::run_ranks(r);
    CHECK_FALSE(run.check.checked);
    CHECK_THAT(run.check.text,
               Catch::Contains("not checked: line 6 (dma_copy) computes on the core"));
}
