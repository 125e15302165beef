// `nsim collective` as a user meets it: the report's fields, and one clear error per bad input.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/io/npy.h"
#include "tests/cli/nsim_runner.h"
#include "tests/example_kernels.h"

using Catch::Contains;
using nsim::test::ended_cleanly;
using nsim::test::read_file;
using nsim::test::run_nsim;
using nsim::test::ScratchDir;

namespace {

// A bad collective or flag: a clean exit with `code` and stderr naming every word of `named`.
void require_error(const nsim::test::NsimRun& r, int code, const std::vector<std::string>& named) {
    INFO("stderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == code);
    CHECK_THAT(r.err, Contains("nsim: error:"));
    for (const auto& word : named) CHECK_THAT(r.err, Contains(word));
}

}  // namespace

TEST_CASE(
    "cli: collective writes a report with time, bandwidths, the bound and a verified reduction",
    "[cli][sim]") {
    const ScratchDir dir;
    const auto report = (dir.path() / "ar.json").string();
    const auto r =
        run_nsim({"collective", "--instance", "trn1.32xlarge", "--op", "all_reduce", "--bytes",
                  "64KiB", "--algo", "ring", "--dtype", "bfloat16", "--report", report});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(
        r.out,
        Contains(
            "all_reduce on trn1.32xlarge: bfloat16 65536 bytes over 32 ranks, algorithm ring"));
    const auto j = nlohmann::json::parse(read_file(report));
    CHECK(j["ranks"] == 32);
    CHECK(j["algo"] == "ring");
    CHECK(j["verified"] == true);
    const double time = j["time_ns"], bound = j["bound_ns"], algo = j["algo_bandwidth_gbps"],
                 bus = j["bus_bandwidth_gbps"];
    CHECK(time >= bound * 0.999);
    CHECK(time <= bound * 1.1);
    CHECK(algo == Approx(65536 / time));
    CHECK(bus == Approx(algo * 2 * 31 / 32));
}

TEST_CASE(
    "cli: collective auto names the algorithm it chose, and a message too big to hold is not "
    "claimed verified",
    "[cli][sim]") {
    const ScratchDir dir;
    const auto report = (dir.path() / "big.json").string();
    const auto r =
        run_nsim({"collective", "--instance", "trn1.32xlarge", "--op", "all_gather", "--bytes",
                  "1GiB", "--report", report, "--set", "link_bandwidth_gbps=768"});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(read_file(report));
    CHECK(j["algo_requested"] == "auto");
    CHECK(j["algo"] != "auto");
    CHECK(j["link_port_bandwidth_gbps"] == Approx(192));
    CHECK(j["verified"] == false);
    CHECK_THAT(j["verification"].get<std::string>(),
               Contains("not checked at full size") && Contains("matched the reference"));
}

TEST_CASE(
    "cli: collective rejects an unknown op, absent ranks, mismatched sizes and bad sizes, naming "
    "each",
    "[cli]") {
    const std::vector<std::string> base = {"collective", "--instance", "trn1.32xlarge", "--bytes",
                                           "4KiB"};
    auto with = [&](std::vector<std::string> extra) {
        auto args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        return run_nsim(args);
    };
    require_error(with({"--op", "all_sum"}), 2,
                  {"--op", "unknown value 'all_sum'", "all_reduce, all_gather, reduce_scatter"});
    require_error(with({"--op", "all_reduce", "--algo", "tree"}), 2,
                  {"--algo", "ring, torus2d, hier, auto"});
    require_error(with({"--op", "all_reduce", "--replica-group", "0,1,32"}), 1,
                  {"the replica group names rank 32, but trn1.32xlarge has ranks 0..31"});
    require_error(
        with({"--op", "all_reduce", "--rank-bytes", "7=8KiB"}), 1,
        {"rank 7 gives a buffer of 8192 bytes, but the replica group's message is 4096 bytes"});
    require_error(with({"--op", "all_reduce", "--rank-bytes", "seven"}), 2,
                  {"--rank-bytes", "RANK=SIZE"});
    require_error(run_nsim({"collective", "--instance", "trn1.32xlarge", "--op", "all_reduce",
                            "--bytes", "4 KiB"}),
                  2, {"--bytes", "'4 KiB' is not a size"});
    require_error(run_nsim({"collective", "--instance", "trn1.32xlarge", "--op", "all_reduce",
                            "--bytes", "1023"}),
                  1, {"1023 bytes is not a whole number of float32 elements"});
    require_error(run_nsim({"collective", "--instance", "inf1.24xlarge", "--op", "all_reduce",
                            "--bytes", "4KiB"}),
                  1, {"inf1.24xlarge has no collective engine"});
    require_error(run_nsim({"collective", "--instance", "trn1.2xlarge", "--op", "all_reduce",
                            "--bytes", "4KiB", "--algo", "torus2d"}),
                  1, {"torus2d needs a torus2d instance"});
    require_error(run_nsim({"collective", "--instance", "trn9.huge", "--op", "all_reduce",
                            "--bytes", "4KiB"}),
                  2, {"unknown instance 'trn9.huge'"});
}

TEST_CASE("cli: run --cores 2 runs a kernel's collectives across both cores of a trn1",
          "[cli][sim]") {
    const ScratchDir dir;
    const auto out = (dir.path() / "out").string();
    // Both cores read their gradients from the same file, so the all-reduced gradients are twice
    // the input, and the copy made after the all_reduce's semaphore holds them too.
    nsim::sim::NpyArray grad{{128, 1024}, "<f4", std::vector<uint8_t>(128 * 1024 * 4)};
    auto* g = reinterpret_cast<float*>(grad.data.data());
    for (size_t e = 0; e < 128 * 1024; ++e) g[e] = float(e % 13) - 6.5f;
    const auto grad_file = (dir.path() / "grad.npy").string();
    nsim::sim::write_npy(grad_file, grad);
    const auto r =
        run_nsim({"run", (nsim::test::example_kernel_dir() / "grad_sync_pair.nki").string(),
                  "--cores", "2", "--input", "grad=" + grad_file, "--output-dir", out});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("2 cores at once"));
    CHECK_THAT(r.out, Contains("verified: yes: grad_sum, shard, gathered, grad_copy on each of 2 "
                               "ranks match"));
    for (const char* name : {"grad_sum", "grad_copy"}) {
        const auto y = nsim::sim::read_npy(out + "/rank1/" + name + ".npy");
        REQUIRE(y.data.size() == grad.data.size());
        const auto* v = reinterpret_cast<const float*>(y.data.data());
        size_t bad = 0;
        for (size_t e = 0; e < 128 * 1024; ++e) bad += v[e] != 2 * g[e];
        CHECK(bad == 0);
    }
}

TEST_CASE(
    "cli: run --instance trn1.32xlarge runs grad_sync.nki on 32 ranks over NeuronLink with "
    "verified data",
    "[cli][sim]") {
    const ScratchDir dir;
    // Rank r's activation is r + (e % 4) / 4 (exact in bf16): each rank receives rank r-1's.
    for (int rank = 0; rank < 32; ++rank) {
        nsim::sim::NpyArray act{{128, 512}, "<f4", std::vector<uint8_t>(128 * 512 * 4)};
        auto* a = reinterpret_cast<float*>(act.data.data());
        for (size_t e = 0; e < 128 * 512; ++e) a[e] = float(rank) + float(e % 4) / 4;
        nsim::sim::write_npy((dir.path() / ("act_" + std::to_string(rank) + ".npy")).string(), act);
    }
    const auto out = (dir.path() / "out").string();
    const auto report = (dir.path() / "report.json").string();
    const auto r = run_nsim({"run", (nsim::test::example_kernel_dir() / "grad_sync.nki").string(),
                             "--instance", "trn1.32xlarge", "--input",
                             "act=" + (dir.path() / "act_{rank}.npy").string(), "--output-dir", out,
                             "--report", report});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("on trn1.32xlarge (16 chips x 2 NeuronCore-v2), 32 ranks on 16 "
                               "chips at once"));
    CHECK_THAT(r.out, Contains("verified: yes: grad_sum, shard, gathered, act_prev on each of 32 "
                               "ranks match a host reference of the kernel's 5 collectives"));
    CHECK_THAT(r.out, Contains("  31   15    1 "));  // the rank table: rank 31 is chip 15 core 1
    CHECK_THAT(r.out, Contains("bottleneck: none, no engine or DMA was busy"));
    for (int rank : {0, 1, 17}) {
        const auto y = nsim::sim::read_npy(out + "/rank" + std::to_string(rank) + "/act_prev.npy");
        const auto* v = reinterpret_cast<const float*>(y.data.data());
        const int prev = (rank + 31) % 32;
        size_t bad = 0;
        for (size_t e = 0; e < 128 * 512; ++e) bad += v[e] != float(prev) + float(e % 4) / 4;
        CHECK(bad == 0);
    }
    const auto j = nlohmann::json::parse(read_file(report));
    CHECK(j["instance"] == "trn1.32xlarge");
    CHECK(j["ranks"] == 32);
    CHECK(j["verified"] == true);
    REQUIRE(j["cores"].size() == 32);
    CHECK(j["cores"][31]["chip"] == 15);
    CHECK(j["cores"][31]["core"] == 1);
    CHECK(j["chips"].size() == 16);
    for (const auto& core : j["cores"]) {
        CHECK(core["collectives"]["issued"] == 5);
        // A collective is in flight for part of the run, and never longer than it.
        CHECK(core["collectives"]["busy_ns"].get<double>() > 0);
        CHECK(core["collectives"]["busy_ns"].get<double>() <= core["time_ns"].get<double>());
        // grad_sync is collectives only: no engine or DMA work, so no roofline binds.
        CHECK(core["roofline"]["binding"] == "none");
        CHECK(core["roofline"]["bound_ns"] == 0);
    }
}

TEST_CASE("cli: run --instance --ranks 4 places four ranks chip-major over two chips",
          "[cli][sim]") {
    const ScratchDir dir;
    const auto kernel = dir.write("ring4.nki", R"(kernel ring4
target v2
tensor g [16,256] f32 input
tensor s [16,256] f32 output
tensor x [8,64] bf16 input
tensor y [8,64] bf16 output
all_reduce dst=s src=g group=[[1,4]] op=maximum
send src=x peer_offset=-1
recv dst=y peer_offset=1
)");
    const auto r = run_nsim({"run", kernel, "--instance", "trn1.32xlarge", "--ranks", "4"});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("4 ranks on 2 chips at once"));
    CHECK_THAT(r.out, Contains("   3    1    1 "));
    CHECK_THAT(r.out, Contains("device memory of 2 chips: "));
    CHECK_THAT(r.out, Contains("verified: yes: s, y on each of 4 ranks"));
}

TEST_CASE("cli: run of a collective whose ranks are not all in the run is a clear error",
          "[cli][sim]") {
    // grad_sync.nki is written for the 32 ranks of trn1.32xlarge; `nsim run` alone runs one. The
    // kernel's own line says so, once.
    for (const auto& [args, line] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"run", (nsim::test::example_kernel_dir() / "grad_sync.nki").string()},
              "grad_sync.nki:18:"},
             {{"run", (nsim::test::example_kernel_dir() / "grad_sync_pair.nki").string(), "--cores",
               "1"},
              "grad_sync_pair.nki:16:"}}) {
        const auto r = run_nsim(args);
        INFO("stderr: " << r.err);
        REQUIRE(ended_cleanly(r));
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Contains(line + "72: error: all_reduce operand 'group': names rank"));
        CHECK_THAT(r.err, Contains("but the run has 1 rank (0): a collective needs several"));
        CHECK(r.err.find("error:") == r.err.rfind("error:"));
    }
    // inf1 has no collective engine: each rank's all_reduce says so, once per core.
    const ScratchDir dir;
    const auto v1 =
        dir.write("v1.nki",
                  "kernel k\ntarget v1\ntensor x [128,64] f32 input\ntensor y [128,64] f32 output\n"
                  "all_reduce dst=y src=x group=[[1,2]] op=add\n");
    const auto r = run_nsim({"run", v1, "--cores", "2"});
    require_error(r, 1,
                  {"chip 0 core 1: at 0.0 ns: line 5 (all_reduce) on the sync engine (rank 1)",
                   "one inf1 chip has no collective engine"});
    CHECK_THAT(r.err, !Contains("Warning"));
}

TEST_CASE("cli: collective sizes take nccl-tests' K, M and G suffixes (powers of 1024)",
          "[cli][sim]") {
    for (const auto& [size, bytes] : std::vector<std::pair<std::string, std::string>>{
             {"64k", "65536"}, {"64K", "65536"}, {"1M", "1048576"}, {"1m", "1048576"}}) {
        const auto r = run_nsim(
            {"collective", "--instance", "trn1.2xlarge", "--op", "all_reduce", "--bytes", size});
        INFO(size << " stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK_THAT(r.out, Contains("float32 " + bytes + " bytes over 2 ranks"));
    }
}
