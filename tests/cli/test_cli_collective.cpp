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
    // Both cores fill their inputs from the same seed, so the all-reduced gradients are twice the
    // input, and the copy made after the all_reduce's semaphore holds them too.
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
    for (const char* name : {"grad_sum", "grad_copy"}) {
        const auto y = nsim::sim::read_npy(out + "/" + name + ".npy");
        REQUIRE(y.data.size() == grad.data.size());
        const auto* v = reinterpret_cast<const float*>(y.data.data());
        size_t bad = 0;
        for (size_t e = 0; e < 128 * 1024; ++e) bad += v[e] != 2 * g[e];
        CHECK(bad == 0);
    }
}

TEST_CASE(
    "cli: run of a collective whose ranks are not all on the chip or not all placed is a clear "
    "error",
    "[cli][sim]") {
    // grad_sync.nki is written for the 32 ranks of trn1.32xlarge; `nsim run` simulates one chip.
    require_error(
        run_nsim({"run", (nsim::test::example_kernel_dir() / "grad_sync.nki").string()}), 1,
        {"line 17 (all_reduce)", "rank 0", "names rank 2, but one trn1 chip has ranks 0..1"});
    // On one core, rank 1 never issues its part: a deadlock naming it.
    require_error(
        run_nsim({"run", (nsim::test::example_kernel_dir() / "grad_sync_pair.nki").string(),
                  "--cores", "1"}),
        1, {"deadlock", "collective #0 (all_reduce", "ranks never arrived: 1"});
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
