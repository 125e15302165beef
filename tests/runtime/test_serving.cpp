// The request-level serving loop: closed-loop workers, FIFO cores, pipelined stages, shared links.

#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/serving.h"

using namespace nsim::runtime;

namespace {

// `stages` stages of `service_ns` each on cores 0..stages-1, `copies` copies on their own cores;
// transfers over one resource per copy of 1 byte/ns with 100 ns latency.
ServingSetup pipeline(size_t copies, size_t stages, double service_ns, uint64_t bytes = 0) {
    ServingSetup s;
    for (size_t c = 0; c < copies; ++c) {
        s.resources.push_back({"link" + std::to_string(c), 1.0});
        ServedCopy copy;
        copy.input_bytes = bytes;
        copy.input_path = {{c, 100.0}};
        for (size_t k = 0; k < stages; ++k) {
            s.cores.push_back("core" + std::to_string(s.cores.size()));
            copy.stages.push_back({s.cores.size() - 1, service_ns, bytes, {{c, 100.0}}});
        }
        s.copies.push_back(copy);
    }
    s.warmup_requests = 10;
    s.measured_requests = 100;
    return s;
}

}  // namespace

TEST_CASE("serving: one worker sees the sum of its transfers and the service time", "[sim]") {
    ServingSetup s = pipeline(1, 1, 1000.0, 500);
    s.batch = 4;
    const ServingResult r = simulate_serving(s);
    // in: 100 latency + 500 bytes at 1 B/ns; service 1000; out: the same as in.
    CHECK(r.latency_ms.p50 == Approx(2200e-6));
    CHECK(r.latency_ms.p0 == Approx(r.latency_ms.p100));
    CHECK(r.throughput_per_s == Approx(4 / 2200e-9));
    CHECK(r.core_busy_fraction.at(0) == Approx(1000.0 / 2200.0));
    CHECK(r.completed == 100);
}

TEST_CASE("serving: two workers keep a core busy and wait for each other", "[sim]") {
    ServingSetup s = pipeline(1, 1, 1000.0);
    s.workers_per_copy = 2;
    const ServingResult r = simulate_serving(s);
    // Transfers take 100 ns of latency only: the core is the bottleneck at one batch per 1000 ns.
    CHECK(r.throughput_per_s == Approx(1 / 1000e-9).epsilon(0.01));
    CHECK(r.core_busy_fraction.at(0) == Approx(1.0).epsilon(0.01));
    CHECK(r.latency_ms.p50 == Approx(2000e-6).epsilon(0.1));
}

TEST_CASE("serving: a pipeline of four stages with five requests in flight runs at the stage rate",
          "[sim]") {
    ServingSetup s = pipeline(1, 4, 1000.0);
    // A request alone takes 4500 ns (4 stages, 5 transfer latencies): by Little's law 4.5 requests
    // in flight keep every stage busy; four would give 4/4500 per ns.
    s.workers_per_copy = 5;
    const ServingResult r = simulate_serving(s);
    CHECK(r.throughput_per_s == Approx(1 / 1000e-9).epsilon(0.02));
    CHECK(r.latency_ms.p50 >= 4500e-6 - 1e-9);
    CHECK(r.latency_ms.p50 < 2 * 4500e-6);
}

TEST_CASE("serving: copies on their own cores multiply the throughput", "[sim]") {
    const ServingResult one = simulate_serving(pipeline(1, 1, 1000.0));
    const ServingResult four = simulate_serving(pipeline(4, 1, 1000.0));
    CHECK(four.throughput_per_s == Approx(4 * one.throughput_per_s).epsilon(0.01));
    CHECK(four.latency_ms.p50 == Approx(one.latency_ms.p50));
}

TEST_CASE("serving: copies sharing a link are limited by its bandwidth", "[sim]") {
    ServingSetup s = pipeline(2, 1, 10.0, 10000);
    // Both copies move their data over resource 0 (1 byte/ns): 4 transfers of 10 kB per 2 requests.
    for (auto& c : s.copies) {
        c.input_path = {{0, 0.0}};
        c.stages[0].output_path = {{0, 0.0}};
    }
    const ServingResult r = simulate_serving(s);
    CHECK(r.throughput_per_s == Approx(1 / 20000e-9).epsilon(0.02));  // one request per 2 x 10 us
    CHECK(r.resource_bytes_per_s.at(0) == Approx(1e9).epsilon(0.02));
}

TEST_CASE("serving: a call's host part on a vCPU adds to one worker's latency", "[sim]") {
    ServingSetup s = pipeline(1, 1, 1000.0, 500);
    s.copies[0].host_ns = 500;  // the framework's call and the copies
    const ServingResult r = simulate_serving(s);
    // 500 on the host, 600 in, 1000 on the core, 600 out.
    CHECK(r.latency_ms.p50 == Approx(2700e-6));
    CHECK(r.throughput_per_s == Approx(1 / 2700e-9));
    CHECK(r.host_busy_fraction == Approx(500.0 / 2700.0));
    CHECK(r.core_busy_fraction.at(0) == Approx(1000.0 / 2700.0));
}

TEST_CASE("serving: workers of all copies queue for the vCPUs, which cap the throughput", "[sim]") {
    // Four copies on their own cores, 3 workers each (a call alone takes 2200 ns: 1000 on the
    // host, 100 in, 1000 on the core, 100 out); a call's host part is as long as the core's work.
    auto setup = [](uint32_t vcpus) {
        ServingSetup s = pipeline(4, 1, 1000.0);
        s.workers_per_copy = 3;
        s.vcpus = vcpus;
        for (auto& c : s.copies) c.host_ns = 1000;
        return s;
    };
    const ServingResult plenty = simulate_serving(setup(12));
    const ServingResult one = simulate_serving(setup(1));
    const ServingResult two = simulate_serving(setup(2));
    // With a vCPU per worker the cores set the rate: 4 calls per 1000 ns.
    CHECK(plenty.throughput_per_s == Approx(4 / 1000e-9).epsilon(0.02));
    CHECK(plenty.host_busy_fraction == Approx(4.0 / 12).epsilon(0.02));  // 4 of 12 vCPUs busy
    // With fewer vCPUs than the cores need, each vCPU runs one call's host part per 1000 ns.
    CHECK(one.throughput_per_s == Approx(1 / 1000e-9).epsilon(0.02));
    CHECK(two.throughput_per_s == Approx(2 / 1000e-9).epsilon(0.02));
    CHECK(one.host_busy_fraction == Approx(1.0).epsilon(0.01));
    CHECK(one.core_busy_fraction.at(0) == Approx(0.25).epsilon(0.05));
    CHECK(one.latency_ms.p50 > plenty.latency_ms.p50);  // the workers wait for the vCPU
}

TEST_CASE("serving: percentiles interpolate between ranks", "[sim]") {
    const LatencySummary s = summarize_latencies({5, 1, 4, 2, 3});
    CHECK(s.p0 == 1);
    CHECK(s.p50 == 3);
    CHECK(s.p90 == Approx(4.6));
    CHECK(s.p100 == 5);
    CHECK(s.mean == 3);
}

TEST_CASE(
    "serving: an empty setup, zero workers, an unknown core, no vCPU or a negative host time are "
    "rejected",
    "[sim]") {
    CHECK_THROWS_AS(simulate_serving(ServingSetup{}), nsim::InputError);
    ServingSetup s = pipeline(1, 1, 1000.0);
    s.workers_per_copy = 0;
    CHECK_THROWS_AS(simulate_serving(s), nsim::InputError);
    s = pipeline(1, 1, 1000.0);
    s.copies[0].stages[0].core = 7;
    CHECK_THROWS_AS(simulate_serving(s), nsim::InputError);
    CHECK_THROWS_WITH(
        simulate_serving(s),
        Catch::Contains("copy 0 stage 0 runs on core 7; expected one of the 1 cores"));
    s = pipeline(1, 1, 1000.0);
    s.measured_requests = 0;
    CHECK_THROWS_AS(simulate_serving(s), nsim::InputError);
    s = pipeline(1, 1, 1000.0);
    s.vcpus = 0;
    CHECK_THROWS_WITH(simulate_serving(s), Catch::Contains("0 vCPUs; expected at least 1"));
    s = pipeline(1, 1, 1000.0);
    s.copies[0].host_ns = -1;
    CHECK_THROWS_WITH(simulate_serving(s),
                      Catch::Contains("copy 0 has -1 ns of host time; expected 0 or more"));
}
