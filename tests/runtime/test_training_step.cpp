// The training-step scheduler alone: buckets formed in ready order, all-reduces one at a time, each
// after its bucket is ready, hidden under compute when they fit and exposed when they do not.

#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/training_step.h"

using namespace nsim::runtime;

namespace {

// Two forward and two backward tasks of 100 ns; gradients g1 (ready after the first backward
// task) and g0 (after the second), 1000 bytes each; an optimizer of 30 ns.
StepPlan two_layer_plan(uint64_t bucket_bytes) {
    StepPlan p;
    p.compute = {{"forward layer0", 100},
                 {"forward layer1", 100},
                 {"backward layer1", 100},
                 {"backward layer0", 100}};
    p.gradients = {{"g1", 1000, 2}, {"g0", 1000, 3}};
    p.bucket_bytes = bucket_bytes;
    p.ranks = 4;
    p.optimizer_ns = 30;
    return p;
}

AllReduceTime ns_per_byte(double rate) {
    return [rate](uint64_t bytes) { return rate * double(bytes); };
}

}  // namespace

TEST_CASE("training step: an all-reduce that fits under the remaining compute is hidden", "[sim]") {
    StepPlan p = two_layer_plan(1000);
    p.gradients = {{"g1", 1000, 2}};  // only the first backward layer has gradients
    const StepTimeline t =
        schedule_step(p, ns_per_byte(0.05));  // 50 ns, under the last 100 ns of compute
    REQUIRE(t.buckets.size() == 1);
    CHECK(t.buckets[0].start_ns == 300);
    CHECK(t.buckets[0].end_ns == 350);
    CHECK(t.compute_ns == 400);
    CHECK(t.communication_ns == 50);
    CHECK(t.exposed_communication_ns == 0);
    CHECK(t.overlap_percent() == 100);
    CHECK(t.step_ns == 430);  // compute, then the optimizer
    CHECK(t.compute.back().name == "optimizer");
    CHECK(t.compute.back().start_ns == 400);
}

TEST_CASE(
    "training step: communication longer than the compute after it is exposed and delays the "
    "optimizer",
    "[sim]") {
    const StepTimeline t =
        schedule_step(two_layer_plan(1000), ns_per_byte(0.15));  // 150 ns per bucket
    REQUIRE(t.buckets.size() == 2);
    CHECK(t.buckets[0].start_ns == 300);
    CHECK(t.buckets[0].end_ns == 450);
    CHECK(t.buckets[1].ready_ns == 400);
    CHECK(t.buckets[1].start_ns == 450);  // waits for the first bucket, not only for its gradients
    CHECK(t.buckets[1].end_ns == 600);
    CHECK(t.communication_ns == 300);
    CHECK(t.exposed_communication_ns ==
          Approx(200));  // 50 of the first bucket, all 150 of the second
    CHECK(t.overlap_percent() == Approx(100.0 / 3));
    CHECK(t.step_ns == 630);
    CHECK(t.compute.back().start_ns == 600);
}

TEST_CASE("training step: buckets take gradients in ready order and run one at a time, in order",
          "[sim]") {
    StepPlan p = two_layer_plan(1500);
    p.compute.push_back({"backward embeddings", 100});
    p.gradients = {{"a", 1000, 2}, {"b", 1000, 2}, {"c", 600, 3},
                   {"d", 600, 3},  {"e", 5000, 4}, {"f", 10, 4}};
    const StepTimeline t = schedule_step(p, ns_per_byte(0.01));
    REQUIRE(t.buckets.size() == 3);
    CHECK(t.buckets[0].tensors == std::vector<std::string>{"a", "b"});  // 2000 >= 1500 closes it
    CHECK(t.buckets[1].tensors ==
          std::vector<std::string>{"c", "d", "e"});  // 1200 stays open, 6200 closes
    CHECK(t.buckets[1].bytes == 6200);
    CHECK(t.buckets[1].ready_ns == 500);  // its last gradient, e, is ready after the last task
    CHECK(t.buckets[2].tensors == std::vector<std::string>{"f"});
    for (size_t i = 0; i < t.buckets.size(); ++i) {
        CHECK(t.buckets[i].start_ns >= t.buckets[i].ready_ns);
        if (i) CHECK(t.buckets[i].start_ns >= t.buckets[i - 1].end_ns);
    }
}

TEST_CASE("training step: bus bandwidth counts 2(n-1)/n of the bytes per second of communication",
          "[sim]") {
    const StepTimeline t =
        schedule_step(two_layer_plan(1000), ns_per_byte(0.5));  // 2 GB/s algorithm bandwidth
    CHECK(t.bus_bandwidth_gbps() == Approx(2.0 * 2 * 3 / 4));   // 4 ranks
}

TEST_CASE("training step: one replica has nothing to all-reduce", "[sim]") {
    StepPlan p = two_layer_plan(1000);
    p.ranks = 1;
    const StepTimeline t = schedule_step(
        p, [](uint64_t) -> double { throw std::logic_error("no all-reduce expected"); });
    CHECK(t.buckets.empty());
    CHECK(t.step_ns == 430);
    CHECK(t.overlap_percent() == 100);
    CHECK(t.bus_bandwidth_gbps() == 0);
}

TEST_CASE("training step: bad plans are refused with the reason", "[sim]") {
    StepPlan p = two_layer_plan(0);
    CHECK_THROWS_WITH(schedule_step(p, ns_per_byte(1)), Catch::Contains("bucket size"));
    p = two_layer_plan(1000);
    p.gradients.push_back({"late", 10, 9});
    CHECK_THROWS_WITH(schedule_step(p, ns_per_byte(1)),
                      Catch::Contains("'late'") && Catch::Contains("4 tasks"));
    p = two_layer_plan(1000);
    std::swap(p.gradients[0], p.gradients[1]);
    CHECK_THROWS_WITH(schedule_step(p, ns_per_byte(1)), Catch::Contains("ready later"));
}
