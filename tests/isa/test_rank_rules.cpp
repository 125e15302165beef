// A program run as one copy per rank: its groups and peers must exist in the run, a peer is never
// the issuing rank, and peer_offset counts from the issuing rank modulo the run's ranks.
#include "isa/kernel_text.h"
#include "isa/rank_rules.h"
#include "verify_helpers.h"

using namespace nsim::isa;
using namespace nsim::isa::test;

namespace {

const std::string kHeader = R"(kernel k
target v2
tensor g [128,64] f32 input
tensor s [128,64] f32 output
)";

Program program(const std::string& lines) { return parse_kernel(kHeader + lines, "k.nki"); }

// The rank rules' messages for `lines` run on `ranks` ranks.
std::string rank_messages(const std::string& lines, uint32_t ranks) {
    return messages(check_ranks(program(lines), ranks));
}

}  // namespace

TEST_CASE("rank rules: peer_offset counts from the issuing rank, modulo the run's ranks", "[isa]") {
    const Program p = program(
        "send src=g peer_offset=1\nrecv dst=s peer_offset=-1\n"
        "send src=g peer=5\nrecv dst=s peer_offset=-33\n");
    CHECK(peer_rank(p.instructions[0], 0, 32) == 1);
    CHECK(peer_rank(p.instructions[0], 31, 32) == 0);
    CHECK(peer_rank(p.instructions[1], 0, 32) == 31);
    CHECK(peer_rank(p.instructions[1], 5, 32) == 4);
    CHECK(peer_rank(p.instructions[1], 0, 4) == 3);   // the run's ranks, not the instance's
    CHECK(peer_rank(p.instructions[2], 0, 32) == 5);  // an absolute peer stays
    CHECK(peer_rank(p.instructions[3], 0, 32) == 31);
}

TEST_CASE("rank rules: groups and peers inside the run are accepted", "[isa]") {
    CHECK(rank_messages("all_reduce dst=s src=g group=[[1,32]]\nsend src=g peer_offset=1\n"
                        "recv dst=s peer_offset=-1\n",
                        32) == "");
    CHECK(rank_messages("all_reduce dst=s src=g group=[[1,4]]\n", 4) == "");
}

TEST_CASE("rank rules: a rank the run lacks, or a rank talking to itself, is named at its line",
          "[isa]") {
    const auto diags = check_ranks(program("\nall_reduce dst=s src=g group=[[1,32]]\n"), 4);
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].loc.line == 6);
    CHECK_THAT(diags[0].message, Catch::Contains("all_reduce operand 'group': names rank 31, but "
                                                 "the run has 4 ranks (0..3)"));
    CHECK_THAT(rank_messages("all_reduce dst=s src=g group=[[1,2]]\n", 1),
               Catch::Contains("names rank 1, but the run has 1 rank (0): a collective needs "
                               "several"));
    CHECK_THAT(rank_messages("send src=g peer=40\n", 32),
               Catch::Contains("send operand 'peer': names rank 40, but the run has 32 ranks"));
    // Every rank runs the copy: rank 1 would send to itself.
    CHECK_THAT(rank_messages("send src=g peer=1\n", 32),
               Catch::Contains("rank 1 runs this program too and would talk to itself") &&
                   Catch::Contains("peer_offset=K"));
    CHECK_THAT(rank_messages("recv dst=s peer_offset=4\n", 4),
               Catch::Contains("recv operand 'peer_offset': 4 is a multiple of the run's ranks"));
    CHECK_THAT(rank_messages("send src=g peer_offset=1\n", 1),
               Catch::Contains("the run has 1 rank (0)"));
}
