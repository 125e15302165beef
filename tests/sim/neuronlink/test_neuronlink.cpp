// NeuronLink: routes on each topology, the cost of a transfer, and how transfers sharing links
// slow each other while transfers on disjoint links do not.
#include <systemc>

#include <catch2/catch.hpp>

#include "isa/error.h"
#include "sim/config/instance_config.h"
#include "sim/core/sim_time.h"
#include "sim/neuronlink/neuronlink_network.h"
#include "sim/neuronlink/neuronlink_sc.h"

using namespace nsim::sim;

namespace {

LinkNetwork network(const std::string& instance) {
    const auto inst = load_instance(instance);
    return LinkNetwork(LinkTopology(inst), link_params(inst));
}

// Runs the given transfers (src, dst, bytes), all started at time 0, and returns their end times.
std::vector<double> run_together(LinkNetwork& net,
                                 const std::vector<std::array<uint64_t, 3>>& transfers) {
    std::vector<double> done(transfers.size(), -1);
    for (size_t i = 0; i < transfers.size(); ++i)
        net.start(0, uint32_t(transfers[i][0]), uint32_t(transfers[i][1]), transfers[i][2],
                  [&done, i](double t) { done[i] = t; });
    net.run();
    return done;
}

constexpr uint64_t kMiB = 1 << 20;

}  // namespace

TEST_CASE(
    "neuronlink: a transfer costs latency x hops + bytes / bandwidth (+ one chunk per extra hop)",
    "[sim]") {
    auto net = network("trn1.32xlarge");  // 384 GB/s over 4 ports: 96 GB/s per link and direction
    REQUIRE(net.link_bytes_per_ns(0) == Approx(96));
    const uint64_t bytes = 64 * kMiB;
    const double one_hop = 500 + bytes / 96.0;
    const double two_hops =
        2 * 500 + bytes / 96.0 + 65536 / 96.0;  // 0 -> 1 -> 5: one chunk of pipeline fill
    CHECK(net.uncontended_ns(0, 1, bytes) == Approx(one_hop));
    CHECK(net.uncontended_ns(0, 5, bytes) == Approx(two_hops));
    auto a = run_together(net, {{0, 1, bytes}});
    CHECK(a[0] == Approx(one_hop).epsilon(1e-9));
    auto net2 = network("trn1.32xlarge");
    auto b = run_together(net2, {{0, 5, bytes}});
    CHECK(b[0] == Approx(two_hops).epsilon(1e-9));
    CHECK(net2.link_bytes(net2.topology().link_index(0, 1)) == bytes);
    CHECK(net2.link_bytes(net2.topology().link_index(1, 5)) == bytes);
}

TEST_CASE("neuronlink: two transfers sharing a link each take twice as long", "[sim]") {
    const uint64_t bytes = 32 * kMiB;
    auto alone = network("trn1.32xlarge");
    const double t1 = run_together(alone, {{0, 1, bytes}})[0];
    auto same = network("trn1.32xlarge");
    for (double t : run_together(same, {{0, 1, bytes}, {0, 1, bytes}}))
        CHECK(t == Approx(2 * t1).epsilon(0.03));
    // Different sources and routes meeting on one link (1 -> 2): 0 -> 2 crosses 0 -> 1 -> 2.
    auto merge = network("trn1.32xlarge");
    const auto both = run_together(merge, {{0, 2, bytes}, {1, 2, bytes}});
    CHECK(both[0] == Approx(2 * t1).epsilon(0.03));
    CHECK(both[1] == Approx(2 * t1).epsilon(0.03));
}

TEST_CASE("neuronlink: a transfer joining a busy link shares it from then on", "[sim]") {
    const uint64_t bytes = 32 * kMiB;
    auto net = network("trn1.32xlarge");
    const double t1 = net.uncontended_ns(0, 1, bytes);
    double first = -1, second = -1;
    net.start(0, 0, 1, bytes, [&](double t) { first = t; });
    net.advance_to(t1 / 2);
    net.start(t1 / 2, 0, 1, bytes, [&](double t) { second = t; });
    net.run();
    // Half the first alone, then both at half rate: the first ends at 1.5 t1, the second at 2 t1.
    CHECK(first == Approx(1.5 * t1).epsilon(0.03));
    CHECK(second == Approx(2 * t1).epsilon(0.03));
}

TEST_CASE("neuronlink: transfers on disjoint links do not slow each other", "[sim]") {
    const uint64_t bytes = 32 * kMiB;
    auto alone = network("trn1.32xlarge");
    const double t1 = run_together(alone, {{0, 1, bytes}})[0];
    auto net = network("trn1.32xlarge");
    // 0 -> 1 and 1 -> 0 are the two directions of one connection: separate links.
    for (double t : run_together(net, {{0, 1, bytes}, {2, 3, bytes}, {1, 0, bytes}, {4, 8, bytes}}))
        CHECK(t == Approx(t1).epsilon(1e-9));
}

TEST_CASE("neuronlink: 4x4 torus routes are dimension ordered with the expected hop counts",
          "[sim]") {
    const LinkTopology torus(load_instance("trn1.32xlarge"));
    REQUIRE(torus.links().size() == 16 * 4);
    uint32_t longest = 0;
    for (uint32_t a = 0; a < 16; ++a)
        for (uint32_t b = 0; b < 16; ++b) {
            const uint32_t dx = std::min((b % 4 + 4 - a % 4) % 4, (a % 4 + 4 - b % 4) % 4);
            const uint32_t dy = std::min((b / 4 + 4 - a / 4) % 4, (a / 4 + 4 - b / 4) % 4);
            CHECK(torus.hops(a, b) == dx + dy);
            longest = std::max(longest, torus.hops(a, b));
        }
    CHECK(longest == 4);
    CHECK(torus.hops(0, 1) == 1);
    CHECK(torus.hops(0, 4) == 1);
    CHECK(torus.route(0, 3) == std::vector<uint32_t>{torus.link_index(0, 3)});  // wrap-around in X
    CHECK(torus.route(0, 12) ==
          std::vector<uint32_t>{torus.link_index(0, 12)});  // wrap-around in Y
    // X first, then Y: 0 -> 5 goes 0 -> 1 -> 5, never 0 -> 4 -> 5.
    CHECK(torus.route(0, 5) ==
          std::vector<uint32_t>{torus.link_index(0, 1), torus.link_index(1, 5)});
    CHECK(torus.route(15, 0) ==
          std::vector<uint32_t>{torus.link_index(15, 12), torus.link_index(12, 0)});
}

TEST_CASE("neuronlink: ring routes take the shorter way", "[sim]") {
    const LinkTopology ring(load_instance("inf2.48xlarge"));  // 12 chips
    REQUIRE(ring.links().size() == 24);
    CHECK(ring.route(0, 11) == std::vector<uint32_t>{ring.link_index(0, 11)});
    CHECK(ring.hops(0, 5) == 5);
    CHECK(ring.hops(0, 7) == 5);
    CHECK(ring.route(0, 7).front() == ring.link_index(0, 11));  // backwards is shorter
    CHECK(ring.hops(0, 6) == 6);                                // a tie goes forwards
    CHECK(ring.route(0, 6).front() == ring.link_index(0, 1));
    // Two chips: both ports join the same neighbour, so one link each way with both ports.
    const LinkTopology pair("ring", 2, {}, 2);
    REQUIRE(pair.links().size() == 2);
    CHECK(pair.links()[0].ports == 2);
    CHECK(pair.hops(0, 1) == 1);
}

TEST_CASE("neuronlink: a route on a none topology is a clear error", "[sim]") {
    const auto inst = load_instance("trn1.2xlarge");
    const LinkTopology none(inst);
    CHECK(none.route(0, 0).empty());
    CHECK_THROWS_WITH(
        none.route(0, 1),
        Catch::Contains("no route from chip 0 to chip 1: topology none has no chip-to-chip links"));
    LinkNetwork net(none, link_params(inst));
    CHECK_THROWS_AS(net.start(0, 0, 1, 1024, nullptr), nsim::SimError);
    const LinkTopology torus(load_instance("trn1.32xlarge"));
    CHECK_THROWS_WITH(
        torus.route(0, 16),
        Catch::Contains("destination chip 16 does not exist; the instance has chips 0..15"));
}

namespace {

// Two SystemC threads: one moves 4 MiB over one hop, the other 4 MiB over the same link then waits.
struct LinkUser : sc_core::sc_module {
    ScLinkNetwork& net;
    std::vector<double> done;
    SC_HAS_PROCESS(LinkUser);
    LinkUser(sc_core::sc_module_name name, ScLinkNetwork& n) : sc_core::sc_module(name), net(n) {
        SC_THREAD(first);
        SC_THREAD(second);
    }
    void first() {
        net.transfer(0, 1, 4 * kMiB);
        done.push_back(now_ns());
    }
    void second() {
        net.transfer(0, 1, 4 * kMiB);
        done.push_back(now_ns());
    }
};

}  // namespace

TEST_CASE("neuronlink: SystemC processes wait for their transfers' completion times", "[sim]") {
    const auto inst = load_instance("trn1.32xlarge");
    ScLinkNetwork net("links", LinkTopology(inst), link_params(inst));
    LinkUser user("user", net);
    sc_core::sc_start();
    const double alone = net.network().uncontended_ns(0, 1, 4 * kMiB);
    REQUIRE(user.done.size() == 2);
    for (double t : user.done) CHECK(t == Approx(2 * alone).epsilon(0.03));
}
