// Collective instructions issued by many ranks meet on the collective engine: the k-th collective
// of each member over a group forms one collective; a send meets its recv; sizes must agree.
#include <catch2/catch.hpp>

#include "isa/kernel_text.h"
#include "sim/collective/collective_rendezvous.h"
#include "sim/config/instance_config.h"

using namespace nsim::sim;

namespace {

const std::string kHeader = R"(kernel k
target v2
tensor g [128,64] f32 input
tensor s [128,64] f32 output
tensor big [128,128] f32 output
tensor h [64,64] bf16 input
tensor shard [16,64] bf16 output
)";

nsim::isa::Instruction instruction(const std::string& line) {
    return nsim::isa::parse_kernel(kHeader + line + "\n", "k.nki").instructions.at(0);
}

struct Rig {
    InstanceConfig inst = load_instance("trn1.32xlarge");
    LinkNetwork net{LinkTopology(inst), link_params(inst)};
    CollectiveEngine engine{inst, net};
    CollectiveRendezvous meet{engine};
};

}  // namespace

TEST_CASE("rendezvous: an instruction's request carries its group, dtype, reduce op and size",
          "[sim]") {
    const auto r = collective_request(
        instruction("reduce_scatter dst=shard src=h group=[[2,4]] group_start=1 op=maximum"));
    CHECK(r.op == CollectiveOp::reduce_scatter);
    CHECK(r.group == std::vector<uint32_t>{1, 3, 5, 7});
    CHECK(r.dtype == CollectiveDType::bfloat16);
    CHECK(r.reduce == ReduceOp::max);
    CHECK(r.bytes == 64 * 64 * 2);
    CHECK(collective_request(instruction("all_gather dst=big src=s group=[[1,2]]")).bytes ==
          128 * 128 * 4);
}

TEST_CASE(
    "rendezvous: the ranks' all_reduce instructions meet and all complete after the last arrives",
    "[sim]") {
    Rig rig;
    const auto ar = instruction("all_reduce dst=s src=g group=[[1,4]]");
    std::vector<double> done(4, -1);
    for (uint32_t rank : {3u, 0u, 2u, 1u})
        rig.meet.issue(rank, ar, 1000.0 * rank, [&done, rank](double t) { done[rank] = t; });
    rig.net.run();
    rig.engine.check_finished();
    for (double t : done) CHECK(t > 3000);  // rank 3 arrives last, at 3 us
    // A second all_reduce over the same group is a new collective, not the first one again.
    for (uint32_t rank = 0; rank < 4; ++rank)
        rig.meet.issue(rank, ar, rig.net.now_ns(), [&done, rank](double t) { done[rank] = t; });
    rig.net.run();
    rig.engine.check_finished();
}

TEST_CASE("rendezvous: a send meets the matching recv on the peer", "[sim]") {
    Rig rig;
    double sent = -1, received = -1;
    rig.meet.issue(5, instruction("recv dst=s peer=0"), 0, [&](double t) { received = t; });
    rig.meet.issue(0, instruction("send src=g peer=5"), 2000, [&](double t) { sent = t; });
    rig.net.run();
    rig.engine.check_finished();
    CHECK(received > 2000);
    CHECK(sent == received);
}

TEST_CASE(
    "rendezvous: a rank missing its part is a deadlock, and a rank giving another size is an error",
    "[sim]") {
    Rig rig;
    const auto ar = instruction("all_reduce dst=s src=g group=[[1,4]]");
    for (uint32_t rank : {0u, 1u, 3u}) rig.meet.issue(rank, ar, 0, nullptr);
    rig.net.run();
    CHECK_THROWS_WITH(rig.engine.check_finished(), Catch::Contains("ranks never arrived: 2"));
    Rig other;
    other.meet.issue(0, ar, 0, nullptr);
    CHECK_THROWS_WITH(
        other.meet.issue(1, instruction("all_reduce dst=big src=big group=[[1,4]]"), 0, nullptr),
        Catch::Contains("rank 1 gives a buffer of 65536 bytes, but the replica group's message is "
                        "32768 bytes"));
}
