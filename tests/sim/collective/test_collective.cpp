// The collective engine: right data for every op, algorithm, rank count and dtype; time against the
// analytic bound; contention between collectives; CC-core limits; deadlocks and bad requests.
#include <algorithm>
#include <optional>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/collective/collective_engine.h"
#include "sim/config/instance_config.h"
#include "sim/core/sim_time.h"
#include "sim/neuronlink/neuronlink_sc.h"

using namespace nsim::sim;

namespace {

// An instance with its network and engine, owned together.
struct Rig {
    InstanceConfig inst;
    LinkNetwork net;
    CollectiveEngine engine;
    explicit Rig(const std::string& name, const std::vector<std::string>& overrides = {})
        : inst(load(name, overrides)),
          net(LinkTopology(inst), link_params(inst)),
          engine(inst, net) {}
    static InstanceConfig load(const std::string& name, const std::vector<std::string>& overrides) {
        auto i = load_instance(name);
        if (!overrides.empty()) apply_overrides(i, overrides);
        return i;
    }
    // Runs one collective with every member arriving at 0; returns its time. With `check`, the data
    // is moved and compared with the reference.
    double run(CollectiveRequest req, bool check = true) {
        const auto plan = engine.plan(req);
        std::optional<CollectiveData> data;
        if (check) data.emplace(plan);
        const uint32_t id = engine.launch(plan, {}, data ? &*data : nullptr);
        engine.arrive_all(id, 0);
        net.run();
        engine.check_finished();
        if (data) CHECK(data->mismatch() == "");
        return engine.finish_ns(id);
    }
};

CollectiveRequest request(CollectiveOp op, CollectiveAlgo algo, CollectiveDType dtype,
                          uint32_t ranks, uint64_t bytes) {
    CollectiveRequest r;
    r.op = op;
    r.algo = algo;
    r.dtype = dtype;
    for (uint32_t i = 0; i < ranks; ++i) r.group.push_back(i);
    r.bytes = bytes;
    return r;
}

const CollectiveOp kOps[] = {CollectiveOp::all_reduce, CollectiveOp::all_gather,
                             CollectiveOp::reduce_scatter};
const CollectiveDType kDTypes[] = {CollectiveDType::float32, CollectiveDType::bfloat16};

// Uneven blocks on purpose: (37 n + 5) elements.
uint64_t odd_bytes(uint32_t ranks, CollectiveDType dtype) {
    return uint64_t(37 * ranks + 5) * dtype_bytes(dtype);
}

}  // namespace

TEST_CASE("collective: ring gives the reference result on 2, 4, 8, 16 and 32 ranks, fp32 and bf16",
          "[sim]") {
    for (uint32_t ranks : {2u, 4u, 8u, 16u, 32u})
        for (auto op : kOps)
            for (auto dtype : kDTypes) {
                INFO(ranks << " ranks, " << name(op) << ", " << name(dtype));
                Rig rig("trn1.32xlarge");
                CHECK(rig.run(request(op, CollectiveAlgo::ring, dtype, ranks,
                                      odd_bytes(ranks, dtype))) > 0);
            }
}

TEST_CASE(
    "collective: torus2d and hier give the reference result on 4, 8, 16 and 32 ranks, fp32 and "
    "bf16",
    "[sim]") {
    // chips x 2 cores on tori of 2x1, 2x2, 4x2 and 4x4 chips.
    const std::vector<std::vector<std::string>> shapes = {{"chips=2", "torus_dims=[2,1]"},
                                                          {"chips=4", "torus_dims=[2,2]"},
                                                          {"chips=8", "torus_dims=[4,2]"},
                                                          {}};
    for (const auto& shape : shapes)
        for (auto algo : {CollectiveAlgo::torus2d, CollectiveAlgo::hier})
            for (auto op : kOps)
                for (auto dtype : kDTypes) {
                    Rig rig("trn1.32xlarge", shape);
                    const uint32_t ranks = rig.inst.chips * 2;
                    INFO(ranks << " ranks, " << name(algo) << ", " << name(op) << ", "
                               << name(dtype));
                    CHECK(rig.run(request(op, algo, dtype, ranks, odd_bytes(ranks, dtype))) > 0);
                }
}

TEST_CASE("collective: the two cores of one chip reduce through the chip's memory (trn1.2xlarge)",
          "[sim]") {
    for (auto algo : {CollectiveAlgo::ring, CollectiveAlgo::hier, CollectiveAlgo::automatic})
        for (auto op : kOps) {
            Rig rig("trn1.2xlarge");
            CHECK(rig.run(request(op, algo, CollectiveDType::bfloat16, 2,
                                  odd_bytes(2, CollectiveDType::bfloat16))) > 0);
        }
}

TEST_CASE(
    "collective: a step ends when both its link transfer and its device-memory traffic are done",
    "[sim]") {
    // 2 ranks on one chip: a ring all-reduce of two steps, each moving half the message.
    const auto req = request(CollectiveOp::all_reduce, CollectiveAlgo::ring,
                             CollectiveDType::float32, 2, 1 << 20);
    Rig fast("trn1.2xlarge");
    const double link_only = fast.run(req);
    Rig slow("trn1.2xlarge");
    std::vector<uint64_t> booked;
    slow.engine.set_step_memory([&](uint32_t src, uint32_t dst, uint64_t bytes, double start_ns) {
        CHECK(src == 0);
        CHECK(dst == 0);
        booked.push_back(bytes);
        return start_ns + 1e6;  // a memory 1 ms slow
    });
    const double with_memory = slow.run(req);
    CHECK(booked == std::vector<uint64_t>(4, 1 << 19));  // 2 members x 2 steps of half the message
    CHECK(with_memory > 2e6);
    CHECK(link_only < 1e5);
}

TEST_CASE("collective: max and min reductions give the reference result", "[sim]") {
    for (auto reduce : {ReduceOp::max, ReduceOp::min}) {
        Rig rig("trn1.32xlarge");
        auto req = request(CollectiveOp::all_reduce, CollectiveAlgo::torus2d,
                           CollectiveDType::float32, 32, odd_bytes(32, CollectiveDType::float32));
        req.reduce = reduce;
        CHECK(rig.run(req) > 0);
    }
}

TEST_CASE("collective: a large ring all-reduce takes within 10% of the analytic bound", "[sim]") {
    Rig rig("trn1.32xlarge");
    const uint64_t bytes = 256ull << 20;
    const auto plan = rig.engine.plan(request(CollectiveOp::all_reduce, CollectiveAlgo::ring,
                                              CollectiveDType::float32, 32, bytes));
    const double bound = rig.engine.bound_ns(plan);
    // 2(n-1) steps, each: DMA start 1300 ns + one hop 500 ns + a 1/32 part over a 96 GB/s link.
    CHECK(bound == Approx(62 * (1300 + 500 + bytes / 32 / 96.0)));
    const double t = rig.run(plan.request, /*check=*/false);
    CHECK(t >= bound * 0.999);
    CHECK(t <= bound * 1.10);
}

TEST_CASE("collective: two all-reduces sharing links slow each other down", "[sim]") {
    const uint64_t bytes = 64ull << 20;
    const auto req = request(CollectiveOp::all_reduce, CollectiveAlgo::ring,
                             CollectiveDType::float32, 32, bytes);
    Rig alone("trn1.32xlarge");
    const double t1 = alone.run(req, false);
    Rig both("trn1.32xlarge");
    const uint32_t a = both.engine.launch(both.engine.plan(req)),
                   b = both.engine.launch(both.engine.plan(req));
    both.engine.arrive_all(a, 0);
    both.engine.arrive_all(b, 0);
    both.net.run();
    both.engine.check_finished();
    CHECK(both.engine.finish_ns(a) > 1.7 * t1);
    CHECK(both.engine.finish_ns(b) > 1.7 * t1);
    CHECK(std::max(both.engine.finish_ns(a), both.engine.finish_ns(b)) < 2.2 * t1);
}

TEST_CASE("collective: with one CC core per chip, a second collective waits for the first",
          "[sim]") {
    const uint64_t bytes = 16ull << 20;
    const auto req = request(CollectiveOp::all_reduce, CollectiveAlgo::ring,
                             CollectiveDType::float32, 32, bytes);
    Rig rig("trn1.32xlarge", {"chip.collective.cc_cores=1"});
    const uint32_t a = rig.engine.launch(rig.engine.plan(req)),
                   b = rig.engine.launch(rig.engine.plan(req));
    rig.engine.arrive_all(a, 0);
    rig.engine.arrive_all(b, 0);
    rig.net.run();
    rig.engine.check_finished();
    Rig alone("trn1.32xlarge");
    const double t1 = alone.run(req, false);
    CHECK(rig.engine.finish_ns(a) == Approx(t1).epsilon(0.02));
    CHECK(rig.engine.finish_ns(b) > 1.8 * t1);
}

TEST_CASE(
    "collective: a collective whose ranks never all arrive is a deadlock naming the missing ranks",
    "[sim]") {
    Rig rig("trn1.32xlarge");
    const auto plan = rig.engine.plan(request(CollectiveOp::all_reduce, CollectiveAlgo::ring,
                                              CollectiveDType::float32, 32, 1 << 20));
    const uint32_t id = rig.engine.launch(plan);
    for (uint32_t r = 0; r < 32; ++r)
        if (r != 3 && r != 17) rig.engine.arrive(id, r, 100.0 * r, plan.request.bytes);
    rig.net.run();  // runs dry: nothing more can happen
    CHECK_FALSE(rig.engine.finished(id));
    CHECK_THROWS_WITH(rig.engine.check_finished(),
                      Catch::Contains("deadlock at") &&
                          Catch::Contains("collective #0 (all_reduce ring, 32 ranks) never "
                                          "finished: ranks never arrived: 3, 17"));
}

TEST_CASE("collective: bad requests are clear errors", "[sim]") {
    Rig rig("trn1.32xlarge");
    auto req =
        request(CollectiveOp::all_reduce, CollectiveAlgo::ring, CollectiveDType::float32, 4, 1024);
    req.group = {0, 1, 40};
    CHECK_THROWS_WITH(rig.engine.plan(req),
                      Catch::Contains("the replica group names rank 40, but trn1.32xlarge has "
                                      "ranks 0..31 (16 chips x 2 cores)"));
    req.group = {0, 1, 1};
    CHECK_THROWS_WITH(rig.engine.plan(req), Catch::Contains("names rank 1 twice"));
    req.group = {};
    req.bytes = 1023;
    CHECK_THROWS_WITH(rig.engine.plan(req),
                      Catch::Contains("1023 bytes is not a whole number of float32 elements"));
    req.bytes = 64ull << 30;
    CHECK_THROWS_WITH(
        rig.engine.plan(req),
        Catch::Contains(
            "a 68719476736-byte message does not fit a chip's device memory (34359738368 bytes"));
    req.bytes = 1024;
    const uint32_t id = rig.engine.launch(rig.engine.plan(req));
    CHECK_THROWS_WITH(
        rig.engine.arrive(id, 5, 0, 2048),
        Catch::Contains(
            "rank 5 gives a buffer of 2048 bytes, but the replica group's message is 1024 bytes"));
    req.algo = CollectiveAlgo::torus2d;
    req.group = {0, 1, 2, 3};
    CHECK_THROWS_WITH(
        rig.engine.plan(req),
        Catch::Contains(
            "torus2d needs every chip of the torus in the replica group; it has 2 of 16"));
    req.group = {0, 1, 2};
    req.algo = CollectiveAlgo::hier;
    CHECK_THROWS_WITH(rig.engine.plan(req),
                      Catch::Contains("hier needs the same number of ranks on every chip"));
    Rig inf2("inf2.24xlarge");
    req.algo = CollectiveAlgo::torus2d;
    req.group = {};
    CHECK_THROWS_WITH(inf2.engine.plan(req),
                      Catch::Contains("torus2d needs a torus2d instance; inf2.24xlarge is a ring"));
    Rig inf1("inf1.6xlarge");
    req.algo = CollectiveAlgo::ring;
    CHECK_THROWS_WITH(
        inf1.engine.plan(req),
        Catch::Contains(
            "inf1.6xlarge has no collective engine (chip inf1: collective.cc_cores = 0)"));
}

TEST_CASE("collective: auto picks the algorithm with the smallest bound", "[sim]") {
    Rig rig("trn1.32xlarge");
    for (uint64_t bytes : {uint64_t(4096), uint64_t(256) << 20}) {
        auto req = request(CollectiveOp::all_reduce, CollectiveAlgo::automatic,
                           CollectiveDType::float32, 32, bytes);
        const auto chosen = rig.engine.plan(req);
        CHECK(chosen.request.algo != CollectiveAlgo::automatic);
        for (auto algo : {CollectiveAlgo::ring, CollectiveAlgo::torus2d, CollectiveAlgo::hier}) {
            req.algo = algo;
            CHECK(rig.engine.bound_ns(chosen) <= rig.engine.bound_ns(rig.engine.plan(req)));
        }
    }
    // Small messages are latency bound: the torus's 14 steps beat the ring's 62.
    CHECK(rig.engine
              .plan(request(CollectiveOp::all_reduce, CollectiveAlgo::automatic,
                            CollectiveDType::float32, 32, 4096))
              .request.algo == CollectiveAlgo::torus2d);
}

TEST_CASE("collective: a send moves bytes chip to chip in the DMA start latency plus the link time",
          "[sim]") {
    Rig rig("trn1.32xlarge");
    double done_src = -1, done_dst = -1;
    const uint32_t id = rig.engine.launch_send(
        0, 2, 1 << 20, [&](uint32_t rank, double t) { (rank == 0 ? done_src : done_dst) = t; });
    rig.engine.arrive(id, 2, 0, 1 << 20);
    rig.engine.arrive(id, 0, 1000,
                      1 << 20);  // the receiver posted first; the sender starts at 1 us
    rig.net.run();
    rig.engine.check_finished();
    const double expected = 1000 + 1300 + rig.net.uncontended_ns(0, 1, 1 << 20);
    CHECK(done_src == Approx(expected));
    CHECK(done_dst == Approx(expected));
}

namespace {

// Two ranks as SystemC threads on different chips: each issues the all-reduce at its own time and
// waits for its completion, as a core's engine would wait on the semaphore it increments.
struct TwoRanks : sc_core::sc_module {
    ScLinkNetwork& links;
    CollectiveEngine& engine;
    uint32_t id;
    uint64_t bytes;
    sc_core::sc_event done[2];
    double finished[2] = {-1, -1};
    SC_HAS_PROCESS(TwoRanks);
    TwoRanks(sc_core::sc_module_name n, ScLinkNetwork& l, CollectiveEngine& e, uint32_t i,
             uint64_t b)
        : sc_core::sc_module(n), links(l), engine(e), id(i), bytes(b) {
        SC_THREAD(rank0);
        SC_THREAD(rank1);
    }
    void issue(uint32_t member, uint32_t rank, double at_ns) {
        sc_core::wait(sc_core::sc_time(at_ns, sc_core::SC_NS));
        engine.arrive(id, rank, now_ns(), bytes);
        links.rearm();
        sc_core::wait(done[member]);
        finished[member] = now_ns();
    }
    void rank0() { issue(0, 0, 0); }
    void rank1() { issue(1, 2, 5000); }  // rank 2 = chip 1, core 0; it arrives 5 us later
};

}  // namespace

TEST_CASE(
    "collective: under SystemC, ranks arrive from their processes and are woken at completion",
    "[sim]") {
    const auto inst = load_instance("trn1.32xlarge");
    ScLinkNetwork links("links", LinkTopology(inst), link_params(inst));
    CollectiveEngine engine(inst, links.network());
    auto req = request(CollectiveOp::all_reduce, CollectiveAlgo::ring, CollectiveDType::float32, 0,
                       1 << 20);
    req.group = {0, 2};
    const auto plan = engine.plan(req);
    TwoRanks* ranks = nullptr;
    const uint32_t id = engine.launch(plan, [&](uint32_t rank, double) {
        ranks->done[rank == 0 ? 0 : 1].notify(sc_core::SC_ZERO_TIME);
    });
    TwoRanks two("ranks", links, engine, id, 1 << 20);
    ranks = &two;
    sc_core::sc_start();
    engine.check_finished();
    // Nothing moves before the second rank arrives at 5 us; then two steps (reduce-scatter,
    // all-gather).
    const double step = 1300 + links.network().uncontended_ns(0, 1, 1 << 19);
    CHECK(two.finished[0] == Approx(5000 + 2 * step).epsilon(1e-6));
    CHECK(two.finished[1] == Approx(5000 + 2 * step).epsilon(1e-6));
}

TEST_CASE("collective: bf16 reductions add in fp32 and round to bf16 once per add", "[sim]") {
    Rig rig("trn1.2xlarge");
    for (auto dtype : kDTypes) {
        const auto plan = rig.engine.plan(request(CollectiveOp::all_reduce, CollectiveAlgo::ring,
                                                  dtype, 2, 2 * dtype_bytes(dtype)));
        CollectiveData data(plan);
        data.write(0, {0}, {256.0f}, /*reduce=*/false);
        data.write(0, {0}, {1.0f},
                   /*reduce=*/true);  // 257 needs 9 significant bits: bf16 rounds to even, 256
        data.write(0, {0}, {1.5f}, /*reduce=*/true);  // 257.5: bf16 258, fp32 exact
        CHECK(data.value(0, 0) == (dtype == CollectiveDType::bfloat16 ? 258.0f : 258.5f));
    }
}

// -------------------------------------------------------------------------------------------------
// Results against the test's own inputs and expectations: the checks above compare with the
// reference inside CollectiveData (the simulator's code, using the plan's own block layout); these
// do not use it.

namespace {

// Runs `req` with member g's input `inputs[g]` and returns every member's result.
std::vector<std::vector<float>> run_with(Rig& rig, const CollectiveRequest& req,
                                         const std::vector<std::vector<float>>& inputs) {
    const auto plan = rig.engine.plan(req);
    CollectiveData data(plan);
    for (uint32_t g = 0; g < inputs.size(); ++g) data.load(g, inputs[g]);
    const uint32_t id = rig.engine.launch(plan, {}, &data);
    rig.engine.arrive_all(id, 0);
    rig.net.run();
    rig.engine.check_finished();
    std::vector<std::vector<float>> out;
    for (uint32_t g = 0; g < inputs.size(); ++g) out.push_back(data.result(g));
    return out;
}

// Whole numbers, distinct per member and element, whose sums over 32 members are exact in fp32.
float input_value(uint32_t g, uint64_t e) { return float((g + 1) * 1000 + e % 997) - 500.0f; }

}  // namespace

TEST_CASE(
    "collective: all_reduce gives every rank the element-wise sum, max or min of all ranks' inputs",
    "[sim]") {
    for (auto algo : {CollectiveAlgo::ring, CollectiveAlgo::torus2d, CollectiveAlgo::hier})
        for (auto reduce : {ReduceOp::add, ReduceOp::max, ReduceOp::min}) {
            INFO(name(algo) << " " << int(reduce));
            Rig rig("trn1.32xlarge");
            const uint32_t ranks = 32;
            const uint64_t n = 37 * ranks + 5;
            auto req =
                request(CollectiveOp::all_reduce, algo, CollectiveDType::float32, ranks, n * 4);
            req.reduce = reduce;
            std::vector<std::vector<float>> in(ranks, std::vector<float>(n));
            for (uint32_t g = 0; g < ranks; ++g)
                for (uint64_t e = 0; e < n; ++e) in[g][e] = input_value(g, e);
            std::vector<float> want(n);
            for (uint64_t e = 0; e < n; ++e) {
                double acc = reduce == ReduceOp::add ? 0.0 : in[0][e];
                for (uint32_t g = 0; g < ranks; ++g)
                    acc = reduce == ReduceOp::add   ? acc + in[g][e]
                          : reduce == ReduceOp::max ? std::max(acc, double(in[g][e]))
                                                    : std::min(acc, double(in[g][e]));
                want[e] = float(acc);
            }
            const auto out = run_with(rig, req, in);
            for (uint32_t g = 0; g < ranks; ++g) {
                INFO("rank " << g);
                CHECK(out[g] == want);
            }
        }
}

TEST_CASE(
    "collective: reduce_scatter results, concatenated in rank order, are the sum of all inputs",
    "[sim]") {
    for (auto algo : {CollectiveAlgo::ring, CollectiveAlgo::torus2d, CollectiveAlgo::hier}) {
        INFO(name(algo));
        Rig rig("trn1.32xlarge");
        const uint32_t ranks = 32;
        const uint64_t n = 37 * ranks + 5;  // uneven blocks
        const auto req =
            request(CollectiveOp::reduce_scatter, algo, CollectiveDType::float32, ranks, n * 4);
        std::vector<std::vector<float>> in(ranks, std::vector<float>(n));
        std::vector<float> sum(n, 0.0f);
        for (uint32_t g = 0; g < ranks; ++g)
            for (uint64_t e = 0; e < n; ++e) {
                in[g][e] = input_value(g, e);
                sum[e] += in[g][e];  // exact: whole numbers far below 2^24
            }
        const auto out = run_with(rig, req, in);
        std::vector<float> joined;
        for (const auto& part : out) {
            CHECK(part.size() >= n / ranks);  // every rank gets a share
            CHECK(part.size() <= n / ranks + 1);
            joined.insert(joined.end(), part.begin(), part.end());
        }
        CHECK(joined == sum);
    }
}

TEST_CASE("collective: all_gather gives every rank all ranks' blocks in rank order", "[sim]") {
    for (auto algo : {CollectiveAlgo::ring, CollectiveAlgo::torus2d, CollectiveAlgo::hier})
        for (auto dtype : kDTypes) {
            INFO(name(algo) << " " << name(dtype));
            Rig rig("trn1.32xlarge");
            const uint32_t ranks = 32;
            const uint64_t block = 24;
            const auto req = request(CollectiveOp::all_gather, algo, dtype, ranks,
                                     block * ranks * dtype_bytes(dtype));
            std::vector<std::vector<float>> in(ranks);
            std::vector<float> want;
            for (uint32_t g = 0; g < ranks; ++g)
                for (uint64_t e = 0; e < block; ++e) {
                    in[g].push_back(float(g * 8 + e % 8));  // exact in bf16 (< 256)
                    want.push_back(in[g].back());
                }
            const auto out = run_with(rig, req, in);
            for (uint32_t g = 0; g < ranks; ++g) {
                INFO("rank " << g);
                CHECK(out[g] == want);
            }
        }
}
