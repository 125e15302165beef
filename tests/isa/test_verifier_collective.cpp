// The verifier's rules for collectives: HBM buffers of fp32 or bf16 whose sizes agree with the
// replica group, a group of distinct ranks >= 0, a reduction operator the engine has, a valid peer.
#include "isa/kernel_text.h"
#include "isa/replica_group.h"
#include "verify_helpers.h"

using namespace nsim::isa;
using namespace nsim::isa::test;

namespace {

const std::string kHeader = R"(kernel k
target v2
tensor g [128,64] f32 input
tensor s [128,64] f32 output
tensor b [128,64] bf16 output
tensor i [128,64] i32 output
tensor shard [4,64] f32 output
)";

// The verifier's messages for one instruction line after the header.
std::string verify_line(const std::string& line) {
    return messages(
        verify(parse_kernel(kHeader + line + "\n", "k.nki"), default_limits(Generation::v2)));
}

}  // namespace

TEST_CASE("collectives: well-formed all_reduce, all_gather, reduce_scatter, send and recv verify",
          "[isa]") {
    CHECK(verify_line("all_reduce dst=s src=g group=[[1,32]] op=add") == "");
    CHECK(verify_line("all_reduce dst=s src=g group=[[2,16]] group_start=1 op=maximum") == "");
    CHECK(verify_line("reduce_scatter dst=shard src=g group=[[1,32]]") == "");
    CHECK(verify_line("all_gather dst=s src=shard group=[[8,4],[1,8]]") == "");
    CHECK(verify_line("send src=g peer=3") == "");
    CHECK(verify_line("recv dst=s peer=0") == "");
    CHECK(verify_line("send src=g peer_offset=1") == "");
    CHECK(verify_line("recv dst=s peer_offset=-1") == "");
}

TEST_CASE("collectives: buffer sizes must agree with the replica group", "[isa]") {
    CHECK_THAT(verify_line("all_reduce dst=shard src=g group=[[1,32]]"),
               Contains("all_reduce operand 'dst': found 256 elements, expected 8192"));
    CHECK_THAT(verify_line("reduce_scatter dst=shard src=g group=[[1,16]]"),
               Contains("reduce_scatter operand 'src': found 8192 elements, expected 4096 (16 x "
                        "the 256 of operand 'dst': one block per group rank)"));
    CHECK_THAT(verify_line("all_gather dst=s src=shard group=[[1,8]]"),
               Contains("all_gather operand 'dst': found 8192 elements, expected 2048"));
}

TEST_CASE("collectives: buffers are fp32 or bf16 of one type, in HBM", "[isa]") {
    CHECK_THAT(verify_line("all_reduce dst=b src=g group=[[1,32]]"),
               Contains("all_reduce operand 'src'") && Contains("bf16"));
    CHECK_THAT(verify_line("all_reduce dst=i src=i group=[[1,32]]"),
               Contains("all_reduce operand 'dst'") && Contains("i32"));
    CHECK_THAT(verify_line("all_reduce dst=sbuf[0:128]@0.f32[64] src=g group=[[1,32]]"),
               Contains("all_reduce operand 'dst'") && Contains("sbuf"));
}

TEST_CASE("collectives: the replica group names distinct ranks >= 0", "[isa]") {
    CHECK_THAT(verify_line("all_reduce dst=s src=g group=[[0,4]]"),
               Contains("all_reduce operand 'group': names rank 0 twice, expected distinct ranks"));
    CHECK_THAT(verify_line("all_reduce dst=s src=g group=[[1,4]] group_start=-2"),
               Contains("all_reduce operand 'group': gives rank -2, expected ranks >= 0"));
    CHECK_THAT(
        verify_line("all_reduce dst=s src=g group=[[1,32]] op=multiply"),
        Contains("all_reduce operand 'op': found multiply, expected add, maximum or minimum"));
    CHECK_THAT(verify_line("send src=g peer=-1"),
               Contains("send operand 'peer': found -1, expected a rank >= 0") &&
                   Contains("peer_offset=-1"));
    CHECK_THAT(verify_line("send src=g peer=1 peer_offset=1"),
               Contains("send: found both, expected one of peer=RANK (a rank) and peer_offset=K"));
    CHECK_THAT(verify_line("recv dst=s"),
               Contains("recv: found neither, expected one of peer=RANK"));
    CHECK_THROWS_WITH(verify_line("all_reduce dst=s src=g"),
                      Contains("missing required operand 'group' of all_reduce"));
}

TEST_CASE("collectives: the replica group pattern expands first pair outermost", "[isa]") {
    const auto p = parse_kernel(
        kHeader + "all_gather dst=s src=shard group=[[8,2],[2,4]] group_start=1\n", "k.nki");
    CHECK(replica_group(p.instructions[0]) == std::vector<int64_t>{1, 3, 5, 7, 9, 11, 13, 15});
}
