// The nsim command as a user meets it: exit codes, output, and one clear message per mistake.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/io/npy.h"
#include "tests/cli/nsim_runner.h"
#include "tests/example_kernels.h"

using Catch::Contains;
using nsim::test::ended_cleanly;
using nsim::test::example_kernel_dir;
using nsim::test::example_kernels;
using nsim::test::read_file;
using nsim::test::run_nsim;
using nsim::test::ScratchDir;

namespace {

std::string example(const std::string& name) { return (example_kernel_dir() / name).string(); }

// A command-line mistake: exit 2, no crash, and stderr names what was wrong.
void require_usage_error(const nsim::test::NsimRun& r, const std::vector<std::string>& named) {
    INFO("stderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("nsim: error:"));
    for (const auto& word : named) CHECK_THAT(r.err, Contains(word));
}

// A valid kernel in canonical form: its header (lines 1-4) and one instruction (line 5).
const std::string kHeader = "kernel tiny\ntarget v2\ntensor x [128,512] f32 input\n\n";
const std::string kCopy = "dma_copy dst=sbuf[0:128]@0.f32[512] src=x[0:128]@0.f32[512]";

}  // namespace

TEST_CASE("cli: every example kernel passes check", "[cli]") {
    const auto files = example_kernels();
    REQUIRE(files.size() >= 5);
    for (const auto& file : files) {
        const auto r = run_nsim({"check", file.string()});
        INFO(file << "\nstdout: " << r.out << "\nstderr: " << r.err);
        REQUIRE(ended_cleanly(r));
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.out, Contains("verifier    ok"));
        CHECK(r.err.empty());
    }
}

TEST_CASE("cli: fmt prints every example unchanged, and its output again unchanged", "[cli]") {
    const ScratchDir scratch;
    for (const auto& file : example_kernels()) {
        const std::string text = read_file(file);
        const auto first = run_nsim({"fmt", file.string()});
        INFO(file << "\nstderr: " << first.err);
        REQUIRE(first.exit_code == 0);
        CHECK(first.out == text);
        const auto again = run_nsim({"fmt", scratch.write("again.nki", first.out)});
        CHECK(again.exit_code == 0);
        CHECK(again.out == first.out);
        CHECK(run_nsim({"fmt", "--check", file.string()}).exit_code == 0);
    }
}

TEST_CASE("cli: fmt -o writes the canonical form to the file instead of stdout", "[cli]") {
    const ScratchDir scratch;
    const std::string out = (scratch.path() / "out.nki").string();
    const auto r = run_nsim({"fmt", example("matmul_bf16_512.nki"), "-o", out});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.empty());
    CHECK(read_file(out) == read_file(example("matmul_bf16_512.nki")));
}

TEST_CASE(
    "cli: without a command nsim checks the built-in example and serves BERT-base on inf1.xlarge",
    "[cli][sim]") {
    const auto r = run_nsim({});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("kernel      softmax_rows"));
    CHECK_THAT(r.out, Contains("verifier    ok"));
    CHECK_THAT(
        r.out,
        Contains("bert-base-uncased on inf1.xlarge: data parallel, batch 1, 4 copies x 1 core"));
    CHECK_THAT(r.out, Contains("chip0/core3"));
    // `demo` is the same job: the same output but for the host time it took.
    const auto without_host_time = [](const std::string& text) {
        std::istringstream lines(text);
        std::string line, kept;
        while (std::getline(lines, line))
            if (line.find("host time") == std::string::npos) kept += line + "\n";
        return kept;
    };
    CHECK(without_host_time(run_nsim({"demo"}).out) == without_host_time(r.out));
}

TEST_CASE("cli: check summarises tensors, instructions per opcode and engine, memory", "[cli]") {
    const auto r = run_nsim({"check", example("matmul_bf16_512.nki")});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("target      v2 (trn1, inf2)"));
    CHECK_THAT(r.out, Contains("form        sequential (program order), 32 instructions"));
    CHECK_THAT(r.out, Contains("at    [512,512]  bf16   input    524288"));
    CHECK_THAT(r.out, Contains("nc_matmul        16       .       .       .     .     16"));
    CHECK_THAT(r.out, Contains("dma_copy          .       .       .       .    12     12"));
    // Results of M tile 3 end at 8192 + 4 x 2048 in SBUF; PSUM bank 3 ends at 4 x 2048.
    CHECK_THAT(r.out, Contains("sbuf  16384 B of 192 KiB per partition (8.3%)"));
    CHECK_THAT(r.out, Contains("psum  8192 B of 16 KiB per partition (50.0%)"));
    CHECK_THAT(r.out, Contains("semaphores  none"));
    CHECK_THAT(r.out, Contains("dma queues  0 1 (2 of 16)"));
}

TEST_CASE("cli: check lists the semaphores and the limits of a streams kernel's target", "[cli]") {
    const auto r = run_nsim({"check", example("gelu.nki")});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("target      v1 (inf1)"));
    CHECK_THAT(r.out, Contains("32 semaphores; 16 DMA queues; no GpSimd"));
    CHECK_THAT(r.out, Contains("streams (one per engine)"));
    CHECK_THAT(r.out, Contains("semaphores  s0 s1 s2 s3 s4 s5 s6 s7 s8 (9 of 32)"));
}

TEST_CASE("cli: check --target replaces the file's target", "[cli]") {
    const auto r = run_nsim({"check", "--target", "v3", example("softmax_rows.nki")});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("target      v3 (trn2)"));
    CHECK_THAT(r.out, Contains("SBUF 224 KiB"));
}

TEST_CASE("cli: check --target v1 rejects the GpSimd instructions of a v2 kernel", "[cli]") {
    const std::string file = example("causal_mask_misc.nki");
    const auto r = run_nsim({"check", "--target", "v1", file});
    INFO("stderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Contains(file + ":28:1: error: affine_select"));
    CHECK_THAT(r.err, Contains("no GpSimd"));
}

TEST_CASE("cli: --help, --version and COMMAND --help describe the commands and flags", "[cli]") {
    const auto help = run_nsim({"--help"});
    CHECK(help.exit_code == 0);
    for (const char* word : {"check", "fmt", "demo", "--version"})
        CHECK_THAT(help.out, Contains(word));
    const auto check = run_nsim({"check", "--help"});
    CHECK(check.exit_code == 0);
    for (const char* word :
         {"KERNEL", "--target", "v1", "v3", "Exit codes",
          "nc_matmul dst stationary moving [accumulate]  (engine tensor)",
          "dma_copy dst src [queue]  (engine tensor|vector|scalar|gpsimd|sync, default sync)"})
        CHECK_THAT(check.out, Contains(word));
    const auto fmt = run_nsim({"fmt", "--help"});
    CHECK(fmt.exit_code == 0);
    for (const char* word : {"KERNEL", "-o,--output", "--check"})
        CHECK_THAT(fmt.out, Contains(word));
    const auto version = run_nsim({"--version"});
    CHECK(version.exit_code == 0);
    CHECK_THAT(version.out, Catch::Matches("nsim [0-9]+\\.[0-9]+\\.[0-9]+\\s*"));
}

TEST_CASE("cli: an unknown flag is named", "[cli]") {
    require_usage_error(run_nsim({"check", "--frobnicate", example("softmax_rows.nki")}),
                        {"--frobnicate"});
}

TEST_CASE("cli: a missing kernel file is named", "[cli]") {
    require_usage_error(run_nsim({"check", "no_such_kernel.nki"}),
                        {"no_such_kernel.nki", "does not exist"});
    require_usage_error(run_nsim({"fmt", "no_such_kernel.nki"}),
                        {"no_such_kernel.nki", "does not exist"});
}

TEST_CASE("cli: a bad --target value names the flag and the choices", "[cli]") {
    require_usage_error(run_nsim({"check", "--target", "v9", example("softmax_rows.nki")}),
                        {"--target", "v9", "v1,v2,v3"});
}

TEST_CASE("cli: --target without a value names the flag", "[cli]") {
    require_usage_error(run_nsim({"check", example("softmax_rows.nki"), "--target"}), {"--target"});
}

TEST_CASE("cli: check without a kernel says one is required", "[cli]") {
    require_usage_error(run_nsim({"check"}), {"KERNEL is required", "nsim check --help"});
}

TEST_CASE("cli: a directory where a kernel file belongs is named", "[cli]") {
    require_usage_error(run_nsim({"check", example_kernel_dir().string()}),
                        {example_kernel_dir().string(), "directory"});
}

TEST_CASE("cli: an unknown command is named", "[cli]") {
    require_usage_error(run_nsim({"frobnicate"}), {"unknown command 'frobnicate'", "check, fmt"});
}

TEST_CASE("cli: a second kernel argument is named", "[cli]") {
    require_usage_error(run_nsim({"check", example("gelu.nki"), example("layernorm.nki")}),
                        {"not expected", "layernorm.nki"});
}

TEST_CASE("cli: fmt --check and -o exclude each other", "[cli]") {
    require_usage_error(run_nsim({"fmt", "--check", "-o", "x.nki", example("gelu.nki")}),
                        {"--output", "--check"});
}

TEST_CASE("cli: fmt -o into a missing directory names the file", "[cli]") {
    require_usage_error(run_nsim({"fmt", example("gelu.nki"), "-o", "/no/such/dir/out.nki"}),
                        {"cannot write '/no/such/dir/out.nki'"});
}

TEST_CASE("cli: a syntax error is reported at its line and column, exit 1", "[cli]") {
    const ScratchDir scratch;
    const std::string bad_line = kCopy + " bogus=1";
    const std::string file = scratch.write("broken.nki", kHeader + bad_line + "\n");
    const std::string where = fmt::format("{}:5:{}:", file, bad_line.find("bogus") + 1);
    for (const char* command : {"check", "fmt"}) {
        const auto r = run_nsim({command, file});
        INFO(command << " stderr: " << r.err);
        REQUIRE(ended_cleanly(r));
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Contains(where + " error:"));
        CHECK_THAT(r.err, Contains("bogus"));
        CHECK(r.out.empty());
    }
}

TEST_CASE("cli: a verifier error is reported at its line, exit 1", "[cli]") {
    const ScratchDir scratch;
    // 192 KiB is the end of a v2 SBUF partition.
    std::string too_far = kCopy;
    too_far.replace(too_far.find("@0.f32"), 2, "@196608");
    const std::string file = scratch.write("too_far.nki", kHeader + too_far + "\n");
    const auto r = run_nsim({"check", file});
    INFO("stderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Contains(file + ":5:"));
    CHECK(r.out.empty());
}

TEST_CASE("cli: fmt --check on a file that is not canonical names the line, exit 1", "[cli]") {
    const ScratchDir scratch;
    std::string spaced = kCopy;
    spaced.replace(spaced.find(" src="), 1, "   ");  // extra spaces between operands on line 5
    const std::string file = scratch.write("spaced.nki", kHeader + spaced + "\n");
    REQUIRE(run_nsim({"check", file}).exit_code == 0);
    const auto r = run_nsim({"fmt", "--check", file});
    INFO("stderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Contains(file + ":5: error: not in canonical form"));
    CHECK_THAT(r.err, Contains("canonical: " + kCopy));
    CHECK(r.out.empty());
}

TEST_CASE("cli: an empty or binary kernel file is an error with the file's name, not a crash",
          "[cli]") {
    const ScratchDir scratch;
    const std::string empty = scratch.write("empty.nki", "");
    const std::string binary = scratch.write("binary.nki", std::string("\x7f"
                                                                       "ELF\0\x01\xff\xfe\n\n\x80",
                                                                       11));
    for (const std::string& file : {empty, binary})
        for (const char* command : {"check", "fmt"}) {
            const auto r = run_nsim({command, file});
            INFO(command << " " << file << " stderr: " << r.err);
            REQUIRE(ended_cleanly(r));
            CHECK(r.exit_code == 1);
            CHECK_THAT(r.err, Contains(file + ":"));
        }
}

TEST_CASE("cli: run reports a kernel that waits forever as a deadlock, exit 1", "[cli][sim]") {
    const ScratchDir scratch;
    const std::string file = scratch.write("stuck.nki",
                                           "kernel stuck\ntarget v2\n\nstream vector\nmemset "
                                           "dst=sbuf[0:128]@0.f32[4] value=0 wait=s0>=1\n");
    const auto r = run_nsim({"run", file});
    INFO("stderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Contains("deadlock"));
    CHECK_THAT(r.err, Contains("line 5 (memset)"));
}

TEST_CASE("cli: run reports the deliberately racy kernel's race and exits 1", "[cli][sim]") {
    const auto r = run_nsim({"run", NSIM_SOURCE_DIR "/tests/kernels/racy.nki"});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 1);
    CHECK_THAT(
        r.out,
        Contains("race: line 10 (activation) on scalar reads and line 8 (memset) on vector writes "
                 "bytes [0, 256) of sbuf partition 0"));
    CHECK_THAT(r.err, Contains("1 race(s)"));
    const auto warned =
        run_nsim({"run", NSIM_SOURCE_DIR "/tests/kernels/racy.nki", "--races", "warn"});
    CHECK(warned.exit_code == 0);
}

TEST_CASE("cli: run reports the deliberately deadlocked kernel's waiting engines and exits 1",
          "[cli][sim]") {
    const auto r = run_nsim({"run", NSIM_SOURCE_DIR "/tests/kernels/deadlock.nki"});
    INFO("stderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Contains("deadlock at 0.0 ns"));
    CHECK_THAT(
        r.err,
        Contains("vector engine waits at line 8 (memset) for semaphore s1 >= 1 (it holds 0)"));
    CHECK_THAT(
        r.err,
        Contains("scalar engine waits at line 10 (activation) for semaphore s0 >= 1 (it holds 0)"));
}

TEST_CASE(
    "cli: run computes the softmax example's outputs, writes them as .npy, a report and a trace",
    "[cli][sim]") {
    const ScratchDir scratch;
    const std::string out = (scratch.path() / "out").string();
    const std::string report = (scratch.path() / "report.json").string();
    const std::string trace = (scratch.path() / "trace.json").string();
    const auto r =
        run_nsim({"run", NSIM_SOURCE_DIR "/examples/kernels/softmax_rows.nki", "--output-dir", out,
                  "--report", report, "--trace", trace, "--seed", "7"});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto y = nsim::sim::read_npy(out + "/y.npy");
    REQUIRE(y.shape == std::vector<uint64_t>{128, 512});
    REQUIRE(y.descr == "<f4");
    const float* v = reinterpret_cast<const float*>(y.data.data());
    for (int row = 0; row < 128; ++row) {  // softmax rows are positive and sum to 1
        double sum = 0;
        for (int c = 0; c < 512; ++c) {
            CHECK(v[row * 512 + c] > 0);
            sum += v[row * 512 + c];
        }
        CHECK(sum == Approx(1.0).epsilon(1e-5));
    }
    const std::string report_text = read_file(report);
    for (const char* key : {"\"time_ns\"", "\"instructions\"", "\"busy_ns\"", "\"utilization\"",
                            "\"semaphore_wait_ns\"", "\"dma\"", "\"host_seconds\""})
        CHECK_THAT(report_text, Contains(key));
    const std::string trace_text = read_file(trace);
    CHECK_THAT(trace_text, Contains("\"traceEvents\""));
    CHECK_THAT(trace_text, Contains("activation L"));
    CHECK_THAT(trace_text, Contains("dma q0"));
}

TEST_CASE(
    "cli: run --cores N runs the kernel on N cores sharing the chip's device memory, reported per "
    "core",
    "[cli][sim]") {
    const ScratchDir scratch;
    // 128 partitions x 64 KiB from DDR: 4 inf1 cores x 3 engines want more than the chip's 53.7
    // GB/s.
    const std::string kernel =
        scratch.write("load.nki",
                      "kernel load\ntarget v1\ntensor x [128,16384] f32 input\n\n"
                      "dma_copy dst=sbuf[0:128]@0.f32[16384] src=x[0:128]@0.f32[16384]\n");
    const std::string report = (scratch.path() / "report.json").string();
    const auto r = run_nsim({"run", kernel, "--cores", "4", "--timing-only", "--report", report});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("4 cores at once"));
    CHECK_THAT(r.out, Contains("rank chip core"));
    CHECK_THAT(r.out, Contains("   3    0    3 "));  // rank 3 is core 3 of the one chip
    CHECK_THAT(r.out, Contains("device memory: 32.00 MiB read"));
    const auto j = nlohmann::json::parse(read_file(report));
    REQUIRE(j["cores"].size() == 4);
    for (const auto& core : j["cores"]) {
        CHECK(core["dma"]["device_read_bytes"] == 128 * 65536);
        CHECK(core["dma"]["gbps_while_busy"].get<double>() == Approx(53.687 / 4).epsilon(0.05));
    }
    CHECK(j["device_memory"]["bytes_read"] == 4 * 128 * 65536);
    CHECK(j["device_memory"]["achieved_gbps"].get<double>() == Approx(53.687).epsilon(0.05));
    CHECK(j["device_memory"]["channels"].size() == 2);
    CHECK(j["compute_traffic"]["sbuf_read_bytes"] == 0);  // DMA traffic is counted apart
}

TEST_CASE("cli: run reports the engines' SBUF/PSUM traffic apart from the DMA's", "[cli][sim]") {
    const ScratchDir scratch;
    const std::string report = (scratch.path() / "report.json").string();
    const auto r = run_nsim({"run", NSIM_SOURCE_DIR "/examples/kernels/softmax_rows.nki",
                             "--timing-only", "--report", report});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("traffic: DMA 0.50 MiB"));
    const auto j = nlohmann::json::parse(read_file(report));
    CHECK(j["dma"]["bytes"] == 2 * 128 * 512 * 4);  // one load, one store
    CHECK(j["dma"]["device_read_bytes"] == 128 * 512 * 4);
    CHECK(j["dma"]["device_write_bytes"] == 128 * 512 * 4);
    CHECK(j["compute_traffic"]["sbuf_read_bytes"].get<uint64_t>() >
          128 * 512 * 4);  // the engines read the tile more than once
    CHECK(j["device_memory"]["bytes_read"] == 128 * 512 * 4);
    // Where the host's time went: each phase measured, together within the whole command's.
    double phases = 0;
    for (const char* phase : {"parse", "verify", "sync", "simulate"}) {
        const double seconds = j["host_phases_seconds"][phase].get<double>();
        CHECK(seconds > 0);
        phases += seconds;
    }
    CHECK(phases <= j["host_seconds"].get<double>());
    CHECK(j["host_phases_seconds"]["simulate"].get<double>() >=
          j["simulation_host_seconds"].get<double>());
    CHECK_THAT(r.out, Contains("(parse 0."));
}

TEST_CASE("cli: run rejects bad inputs with the flag, the file and the expectation", "[cli][sim]") {
    const ScratchDir scratch;
    const std::string kernel = NSIM_SOURCE_DIR "/examples/kernels/softmax_rows.nki";
    const std::string junk = scratch.write("x.npy", "not an npy file");
    struct Case {
        std::vector<std::string> args;
        const char* message;
    };
    const std::vector<Case> cases = {
        {{"run", kernel, "--input", "x=" + junk}, "x.npy"},
        {{"run", kernel, "--input", "q=" + junk}, "declares no tensor 'q'"},
        {{"run", kernel, "--input", "y=" + junk}, "is an output"},
        {{"run", kernel, "--input", "x"}, "expected NAME=FILE.npy"},
        {{"run", kernel, "--chip", "trn9"}, "unknown chip 'trn9'"},
        {{"run", kernel, "--chip", "trn2"}, "targets v2 but chip trn2"},
        {{"run", kernel, "--set", "timing.tensor_clock_ghz=-1"}, "positive"},
        {{"run", kernel, "--set", "nonsense=1"}, "unknown parameter"},
        {{"run", kernel, "--races", "sometimes"}, "--races"},
        {{"run", kernel, "--cores", "3"}, "--cores 3: chip trn1 has 2 cores, expected 1 to 2"},
        {{"run", kernel, "--cores", "0"}, "--cores"},
    };
    for (const auto& c : cases) {
        const auto r = run_nsim(c.args);
        INFO(c.args.back() << " stderr: " << r.err);
        REQUIRE(ended_cleanly(r));
        CHECK(r.exit_code != 0);
        CHECK_THAT(r.err, Contains(c.message));
    }
}

// The "PATH = VALUE   SOURCE" lines `nsim describe` printed, each checked to cite a source of
// docs/sources.md or to say ASSUMPTION.
static int sourced_values(const std::string& described) {
    std::istringstream lines(described);
    std::string line;
    int values = 0;
    while (std::getline(lines, line))
        if (line.find(" = ") != std::string::npos) {
            ++values;
            INFO(line);
            CHECK((line.find("[src:") != std::string::npos ||
                   line.find("ASSUMPTION") != std::string::npos ||
                   line.find("CALIBRATED") != std::string::npos));
        }
    return values;
}

TEST_CASE(
    "cli: describe shows every chip value with its source or assumption, and list names the chips",
    "[cli]") {
    const auto listed = run_nsim({"list"});
    REQUIRE(listed.exit_code == 0);
    for (const char* chip : {"inf1", "inf2", "trn1", "trn2"}) {
        CHECK_THAT(listed.out, Contains(chip));
        const auto r = run_nsim({"describe", chip});
        INFO(chip << " stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK_THAT(r.out, Contains("timing.tensor_clock_ghz = "));
        CHECK(sourced_values(r.out) >= 30);
    }
    const auto set = run_nsim({"describe", "trn1", "--set", "dma.engine_bandwidth_gbps=34"});
    CHECK_THAT(set.out, Contains("dma.engine_bandwidth_gbps = 34"));
    CHECK_THAT(set.out, Contains("--set on the command line"));
    const auto bad = run_nsim({"describe", "trn9"});
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("unknown chip 'trn9'"));
    CHECK_THAT(bad.err, Contains("unknown instance 'trn9'"));  // says both kinds were looked for
}

TEST_CASE(
    "cli: describe shows an instance's values and its chip's, each with a source, and list names "
    "the "
    "instances",
    "[cli]") {
    const auto listed = run_nsim({"list"});
    REQUIRE(listed.exit_code == 0);
    CHECK_THAT(listed.out, Contains("trn1.32xlarge   16 x trn1  torus2d 4x4  $21.50/h"));
    CHECK_THAT(listed.out, Contains("inf2.48xlarge   12 x inf2  ring"));
    CHECK_THAT(listed.out, Contains("inf1.xlarge      1 x inf1  none"));
    for (const char* instance :
         {"inf1.xlarge", "inf1.2xlarge", "inf1.6xlarge", "inf1.24xlarge", "inf2.xlarge",
          "inf2.8xlarge", "inf2.24xlarge", "inf2.48xlarge", "trn1.2xlarge", "trn1.32xlarge",
          "trn1n.32xlarge", "trn2.48xlarge"}) {
        CHECK_THAT(listed.out, Contains(instance));
        const auto r = run_nsim({"describe", instance});
        INFO(instance << " stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK_THAT(r.out, Contains(std::string("instance ") + instance));
        CHECK_THAT(r.out, Contains("price_per_hour_usd = "));
        CHECK_THAT(r.out, Contains("chip.timing.tensor_clock_ghz = "));
        CHECK(sourced_values(r.out) >= 40);
    }
    const auto set = run_nsim({"describe", "trn1.32xlarge", "--set", "link_latency_ns=800", "--set",
                               "chip.dma.engine_bandwidth_gbps=34"});
    INFO("stderr: " << set.err);
    CHECK(set.exit_code == 0);
    CHECK_THAT(set.out, Contains("link_latency_ns = 800"));
    CHECK_THAT(set.out, Contains("chip.dma.engine_bandwidth_gbps = 34"));
    const auto reshape =
        run_nsim({"describe", "trn1.32xlarge", "--set", "chips=8", "--set", "torus_dims=[2,4]"});
    CHECK_THAT(reshape.out, Contains("torus_dims = 2x4"));
    const auto mismatch = run_nsim({"describe", "trn1.32xlarge", "--set", "chips=8"});
    CHECK(mismatch.exit_code == 2);
    CHECK_THAT(mismatch.err, Contains("torus_dims: 4x4 = 16 positions, expected the chip count 8"));
    const auto file = run_nsim(
        {"describe", std::string(NSIM_SOURCE_DIR) + "/configs/instances/inf2.24xlarge.json"});
    CHECK(file.exit_code == 0);
    CHECK_THAT(file.out, Contains("instance inf2.24xlarge (6 x inf2)"));
}

TEST_CASE("cli: run reports each core's roofline, and no example kernel runs faster than it",
          "[cli][sim]") {
    const ScratchDir dir;
    size_t ran = 0;
    for (const auto& file : example_kernels()) {
        const std::string report = (dir.path() / (file.stem().string() + ".json")).string();
        const auto r = run_nsim({"run", "--timing-only", file.string(), "--report", report});
        if (r.exit_code != 0) continue;  // kernels for several cores (collectives) say so
        ++ran;
        INFO(file.filename().string() << "\n" << r.out);
        CHECK_THAT(r.out, Contains("roofline: "));
        const auto j = nlohmann::json::parse(read_file(report));
        const auto& roof = j["roofline"];
        const double fraction = roof["fraction"], bound = roof["bound_ns"];
        CHECK(fraction > 0);
        CHECK(fraction <= 1.0 + 1e-9);  // a bound the simulated hardware can beat is no bound
        CHECK(bound == Approx(fraction * double(j["time_ns"])));
        CHECK(roof["bounds_ns"].contains(roof["binding"].get<std::string>()));
    }
    CHECK(ran + 2 >= example_kernels().size());  // grad_sync*.nki need several cores
}
