// Hostile and careless input, row by row (issue 13's campaign and its neighbours): each ends fast,
// with exit code 1 or 2 and one `nsim: error:` line that names the flag, key, file or line.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <sys/resource.h>

#include "sim/io/npy.h"
#include "tests/cli/nsim_runner.h"
#include "tests/example_kernels.h"

using Catch::Contains;
using nsim::test::ended_cleanly;
using nsim::test::run_nsim;
using nsim::test::ScratchDir;

namespace {

struct Row {
    std::vector<std::string> args;
    int exit_code;
    std::vector<std::string> named;  // each must appear in stderr
};

std::string kernel(const std::string& name) {
    return (nsim::test::example_kernel_dir() / name).string();
}

// The largest resident set of any nsim run so far, in MiB.
long peak_child_mib() {
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return usage.ru_maxrss / 1024;
}

// Runs every row; each must end by itself, quickly, with its code and one message naming `named`,
// and none may have needed 1 GiB of memory.
void require_rows(const std::vector<Row>& rows) {
    for (const Row& row : rows) {
        const auto r = run_nsim(row.args);
        std::string command = "nsim";
        for (const auto& a : row.args) command += " " + a.substr(0, 120);
        INFO(command << "\nstdout: " << r.out.substr(0, 2000) << "\nstderr: " << r.err);
        REQUIRE(ended_cleanly(r));
        CHECK(r.exit_code == row.exit_code);
        CHECK(r.seconds < 10);  // the issue asks for 5 s; the margin is for sanitizer builds
        // Exit 2 is nsim's own message; exit 1 names the kernel file's line (FILE:LINE: error:).
        CHECK(r.err.find(row.exit_code == 2 ? "nsim: error: " : ": error: ") != std::string::npos);
        CHECK(r.err.size() < 2000);  // one message, not a dump of the input
        for (const auto& word : row.named) CHECK_THAT(r.err, Contains(word));
    }
    CHECK(peak_child_mib() < 1024);
}

}  // namespace

TEST_CASE("bad input: files that are not what they claim", "[cli][bad-input]") {
    const ScratchDir dir;
    const std::string deep =
        dir.write("deep.json", "{\"name\": \"deep\", \"layers\": " + std::string(100000, '[') +
                                   std::string(100000, ']') + "}");
    const std::string chip_overflow =
        dir.write("chip.json", R"({"name": "x", "base": "trn1", "dma": {"engine_bandwidth_gbps":
                                   {"value": 1e999, "assumption": "overflow"}}})");
    const std::string chip_twice =
        dir.write("twice.json", R"({"name": "x", "base": "trn1", "name": "y"})");
    const std::string crlf = dir.write("crlf.nki", "kernel k\r\ntarget v2\r\n");
    require_rows({
        {{"check", "/dev/zero"}, 2, {"/dev/zero", "regular file"}},
        {{"fmt", "/dev/zero"}, 2, {"/dev/zero", "regular file"}},
        {{"run", "/dev/zero"}, 2, {"/dev/zero", "regular file"}},
        {{"model", deep, "--instance", "inf1.xlarge"}, 2, {deep, "nested deeper than 64"}},
        {{"train", deep, "--instance", "trn1.2xlarge", "--batch", "1"}, 2, {deep, "nested"}},
        {{"run", "--timing-only", kernel("softmax_rows.nki"), "--chip", chip_overflow},
         2,
         {chip_overflow, "not valid JSON"}},
        {{"describe", chip_twice}, 2, {chip_twice, "\"name\" appears twice"}},
        {{"fmt", "--check", crlf}, 1, {"\\r"}},
    });
}

TEST_CASE("bad input: numbers on the command line", "[cli][bad-input]") {
    const std::string softmax = kernel("softmax_rows.nki");
    require_rows({
        {{"run", "--timing-only", softmax, "--cores", "0"},
         2,
         {"--cores", "too small", "at least 1"}},
        {{"run", "--timing-only", softmax, "--cores", "-1"}, 2, {"--cores", "not a whole number"}},
        {{"run", "--timing-only", softmax, "--cores", "10000"}, 2, {"--cores 10000", "1 to 2"}},
        {{"model", "bert-base-uncased", "--instance", "inf1.xlarge", "--requests", "100000000"},
         2,
         {"--requests", "at most 1000000"}},
        {{"collective", "--instance", "trn1.32xlarge", "--op", "all_reduce", "--bytes",
          "18446744073709551612"},
         1,  // the collective's own plan refuses it, as a group naming a rank twice
         {"18446744073709551612-byte message", "chip.device_memory.size_bytes"}},
        {{"run", "--timing-only", softmax, "--seed", "-1"}, 2, {"--seed", "not a whole number"}},
        {{"run", "--timing-only", softmax, "--seed", "18446744073709551616"},
         2,
         {"--seed", "too large"}},
        {{"model", "bert-base-uncased", "--instance", "inf1.xlarge", "--requests", "0"},
         2,
         {"--requests", "too small", "from 1 to 1000000"}},
        {{"model", "bert-base-uncased", "--instance", "inf1.xlarge", "--models", "0"},
         2,
         {"--models", "at least 1"}},
        {{"model", "bert-base-uncased", "--instance", "inf1.xlarge", "--workers-per-model", "0"},
         2,
         {"--workers-per-model"}},
        {{"model", "bert-base-uncased", "--instance", "inf1.xlarge", "--parallel", "pipeline",
          "--pipeline-cores", "0"},
         2,
         {"--pipeline-cores"}},
        {{"sweep", NSIM_SOURCE_DIR "/examples/studies/inf1-bert-base.json", "--out", "/tmp/x",
          "--jobs", "0"},
         2,
         {"--jobs"}},
        {{"train", "bert-base-uncased", "--instance", "trn1.2xlarge", "--batch", "1",
          "--bucket-bytes", "-1"},
         2,
         {"--bucket-bytes"}},
        {{"train", "bert-base-uncased", "--instance", "trn1.32xlarge", "--batch", "16",
          "--global-batch", "1000"},
         2,
         {"--global-batch 1000", "multiple of --batch 16 x 32", "= 512", "e.g. 512 or 1024"}},
        {{"train", "bert-base-uncased", "--instance", "trn1.32xlarge", "--batch", "16",
          "--global-batch", "256"},
         2,
         {"--global-batch 256", "less than one micro-batch"}},
        {{"train", "bert-base-uncased", "--instance", "trn1.2xlarge", "--batch", "1",
          "--global-batch", "0"},
         2,
         {"--global-batch", "too small"}},
        {{"train", "bert-base-uncased", "--instance", "trn1.2xlarge", "--batch", "1", "--dtype",
          "bf16"},
         2,
         {"--dtype", "unknown value 'bf16'", "fp32, bf16-sr"}},
        {{"train", "bert-base-uncased", "--instance", "trn1.2xlarge", "--batch", "1", "--optimizer",
          "sgd"},
         2,
         {"--optimizer", "unknown value 'sgd'", "adamw, lamb"}},
        {{"collective", "--instance", "trn1.32xlarge", "--op", "all_reduce", "--bytes",
          "16777216TiB"},
         2,
         {"--bytes", "too large"}},
        {{"collective", "--instance", "trn1.32xlarge", "--op", "all_reduce", "--bytes",
          "17179869185GiB"},
         2,
         {"--bytes", "too large"}},
        {{"collective", "--instance", "trn1.32xlarge", "--op", "all_reduce", "--bytes", "8KiB",
          "--rank-bytes", "99999999999999999999=8192"},
         2,
         {"--rank-bytes", "too large"}},
        {{"collective", "--instance", "trn1.32xlarge", "--op", "all_reduce", "--bytes", "8KiB",
          "--rank-bytes", "4294967296=8192"},
         2,
         {"--rank-bytes", "4294967296"}},
        {{"collective", "--instance", "trn1.32xlarge", "--op", "all_reduce", "--bytes", "8KiB",
          "--rank-bytes", "99=8192"},
         2,
         {"--rank-bytes", "rank 99 is not in the collective"}},
    });
}

TEST_CASE("bad input: config values a chip cannot have, named at their key", "[cli][bad-input]") {
    const std::string softmax = kernel("softmax_rows.nki");
    std::vector<Row> rows;
    for (const std::string set :
         {"limits.dma_queues=33", "limits.dma_queues=17", "limits.semaphores=4294967295",
          "limits.psum_banks=1000000", "limits.sbuf_partition_bytes=18446744073709551615",
          "limits.sbuf_partition_bytes=40000000", "device_memory.channels=1000000000",
          "device_memory.request_overhead_bytes=18446744073709551615", "cores=100000"})
        rows.push_back({{"run", "--timing-only", softmax, "--set", set},
                        2,
                        {"--set " + set, "expected a whole number from"}});
    // The same bounds for an instance's chip, named as the user wrote them.
    for (const std::string set : {"chip.limits.dma_queues=33", "chip.cores=100000"})
        rows.push_back({{"model", "bert-base-uncased", "--instance", "inf1.xlarge", "--set", set},
                        2,
                        {"--set " + set, "expected a whole number from"}});
    for (const std::string chips : {"4096", "100000"}) {
        rows.push_back({{"collective", "--instance", "trn1.32xlarge", "--op", "all_reduce",
                         "--bytes", "8KiB", "--set", "chips=" + chips},
                        2,
                        {"chips=" + chips, "from 1 to 64"}});
        rows.push_back({{"train", "bert-base-uncased", "--instance", "trn1.32xlarge", "--batch",
                         "1", "--set", "chips=" + chips},
                        2,
                        {"chips=" + chips, "from 1 to 64"}});
    }
    require_rows(rows);
}

TEST_CASE("bad input: a kernel run over ranks that the run or the instance cannot have",
          "[cli][bad-input]") {
    const ScratchDir dir;
    const std::string grad_sync = kernel("grad_sync.nki");
    const std::string far_peer = dir.write("far.nki",
                                           "kernel far\ntarget v2\ntensor x [4,64] f32 input\n"
                                           "send src=x peer=40\n");
    const std::string fixed_peer = dir.write("fixed.nki",
                                             "kernel fixed\ntarget v2\ntensor x [4,64] f32 input\n"
                                             "send src=x peer=1\n");
    require_rows({
        {{"run", "--timing-only", grad_sync, "--instance", "trn1.32xlarge", "--ranks", "33"},
         2,
         {"--ranks 33", "trn1.32xlarge has 32 cores (16 chips x 2), expected 1 to 32"}},
        {{"run", "--timing-only", grad_sync, "--instance", "trn1.32xlarge", "--ranks", "4"},
         1,
         {"grad_sync.nki:18:", "all_reduce operand 'group': names rank 31",
          "the run has 4 ranks (0..3)"}},
        {{"run", "--timing-only", grad_sync},
         1,
         {"grad_sync.nki:18:", "the run has 1 rank (0): a collective needs several"}},
        {{"run", "--timing-only", far_peer, "--instance", "trn1.32xlarge"},
         1,
         {"far.nki:4:", "send operand 'peer': names rank 40, but the run has 32 ranks"}},
        {{"run", "--timing-only", fixed_peer, "--cores", "2"},
         1,
         {"fixed.nki:4:", "rank 1 runs this program too", "peer_offset=K"}},
        {{"run", "--timing-only", grad_sync, "--instance", "inf1.xlarge"},
         2,
         {"grad_sync.nki", "targets v2 but instance inf1.xlarge has inf1 chips"}},
        {{"run", "--timing-only", grad_sync, "--instance", "trn1.32xlarge", "--chip", "trn1"},
         2,
         {"--chip", "--instance", "excludes"}},
        {{"run", "--timing-only", grad_sync, "--instance", "trn1.32xlarge", "--cores", "2"},
         2,
         {"--cores", "--instance", "excludes"}},
        {{"run", "--timing-only", grad_sync, "--instance", "trn9.huge"},
         2,
         {"unknown instance 'trn9.huge'"}},
        {{"run", "--timing-only", grad_sync, "--instance", "trn1.32xlarge", "--input",
          "act=" + (dir.path() / "act_{rank}.npy").string()},
         2,
         {(dir.path() / "act_0.npy").string(), "does not exist"}},
    });
}

TEST_CASE("bad input: --input files are checked even with --timing-only", "[cli][bad-input]") {
    const ScratchDir dir;
    const std::string not_npy = dir.write("bad.npy", "this is not numpy");
    const std::string good = (dir.path() / "x.npy").string();
    nsim::sim::write_npy(good, {{128, 512}, "<f4", std::vector<uint8_t>(128 * 512 * 4)});
    const std::string softmax = kernel("softmax_rows.nki");
    require_rows({
        {{"run", "--timing-only", softmax, "--input", "x=/nonexistent.npy"},
         2,
         {"/nonexistent.npy", "does not exist"}},
        {{"run", "--timing-only", softmax, "--input", "x=" + not_npy}, 2, {not_npy, "magic"}},
        {{"run", "--timing-only", softmax, "--input", "x=" + good, "--input", "x=" + good},
         2,
         {"--input", "has an --input already"}},
    });
}

TEST_CASE("bad input: a parameter that puts work past the simulated-time budget",
          "[cli][bad-input][sim]") {
    const std::string softmax = kernel("softmax_rows.nki");
    require_rows({
        {{"run", "--timing-only", softmax, "--set", "dma.start_latency_ns=1e13"},
         1,
         {"budget", "--max-sim-time"}},
        {{"run", "--timing-only", softmax, "--set", "dma.start_latency_ns=1e300"},
         1,
         {"budget", "--max-sim-time"}},
        {{"run", "--timing-only", softmax, "--set", "dma.engine_bandwidth_gbps=1e-30"},
         1,
         {"budget"}},
        {{"run", "--timing-only", softmax, "--set", "dma.descriptor_overhead_ns=1e300"},
         1,
         {"budget of 1000 s", "--max-sim-time"}},
        {{"model", "bert-base-uncased", "--instance", "inf1.xlarge", "--set",
          "chip.dma.start_latency_ns=1e13", "--max-sim-time", "2000"},
         1,
         {"budget of 2000 s", "--max-sim-time"}},
        {{"train", "bert-base-uncased", "--instance", "trn1.2xlarge", "--batch", "1", "--set",
          "chip.dma.engine_bandwidth_gbps=1e-30"},
         1,
         {"forward pass", "budget", "--max-sim-time"}},
    });
}

TEST_CASE("bad input: work too large to compute is refused before it is allocated",
          "[cli][bad-input]") {
    const ScratchDir dir;
    const std::string header = "kernel k\ntarget v2\ntensor y [128,512] f32 output\n";
    const std::string store = "dma_copy dst=y[0:128]@0.f32[512] src=sbuf[0:128]@0.f32[512]\n";
    // 6e8 elements on each of 128 partitions that all land on one row of x.
    const std::string zero_steps =
        dir.write("zero_steps.nki", header + "tensor x [128,512] f32 input\n" +
                                        "dma_copy dst=sbuf[0:128]@0.f32{[0,20000],[0,15000]} "
                                        "src=x[0:128]@0.f32{[0,20000],[0,15000]}\n" +
                                        store);
    const std::string tebibyte =
        dir.write("tebibyte.nki",
                  header + "tensor x [1048576,262144] f32 input\n" +
                      "dma_copy dst=sbuf[0:128]@0.f32[512] src=x[0:128]@0.f32[512]\n" + store);
    // 4 GiB of input: legal on a 32 GiB device, but past the default budget of results.
    const std::string four_gib =
        dir.write("four_gib.nki",
                  header + "tensor x [1048576,1024] f32 input\n" +
                      "dma_copy dst=sbuf[0:128]@0.f32[512] src=x[0:128]@0.f32[512]\n" + store);
    // Free dims far past SBUF: the verifier names the operand and the partition size.
    const std::string huge_dims =
        dir.write("huge_dims.nki", header + "tensor x [128,512] f32 input\n" +
                                       "dma_copy dst=sbuf[0:128]@0.f32[4000000000] "
                                       "src=x[0:128]@0.f32[512]\n");
    require_rows({
        {{"run", huge_dims}, 1, {"huge_dims.nki:5", "the SBUF partition size"}},
        {{"run", four_gib}, 2, {"4.0 GiB", "--max-host-memory", "--timing-only"}},
        {{"run", zero_steps}, 2, {"line 5 (dma_copy)", "host memory", "--timing-only"}},
        {{"run", tebibyte}, 2, {"1024.0 GiB", "--max-host-memory"}},
        {{"run", zero_steps, "--max-host-memory", "0"}, 2, {"--max-host-memory"}},
    });
}

TEST_CASE("bad input: 200,000 tensor lines check in linear time", "[cli][bad-input]") {
    const ScratchDir dir;
    std::string text = "kernel k\ntarget v2\n";
    for (int i = 0; i < 200000; ++i)
        text += "tensor t" + std::to_string(i) + " [128,4] f32 input\n";
    const std::string many = dir.write("many.nki", text);
    const auto r = run_nsim({"check", many});
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 0);
    CHECK(r.seconds < 10);  // 1.3 s on the 2-core build machine; 55 s when it was quadratic
}

TEST_CASE("bad input: a zero-step pattern is timed from its distinct bytes, not enumerated",
          "[cli][bad-input][sim]") {
    const ScratchDir dir;
    const std::string zero_steps =
        dir.write("zero_steps.nki",
                  "kernel k\ntarget v2\ntensor x [128,512] f32 input\n"
                  "tensor y [128,512] f32 output\n"
                  "dma_copy dst=sbuf[0:128]@0.f32{[0,20000],[0,15000]} "
                  "src=x[0:128]@0.f32{[0,20000],[0,15000]}\n"
                  "dma_copy dst=y[0:128]@0.f32[512] src=sbuf[0:128]@0.f32[512]\n");
    const auto r = run_nsim({"run", "--timing-only", zero_steps});
    INFO(r.out << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 0);
    CHECK(r.seconds < 10);
    CHECK(peak_child_mib() < 1024);
}

TEST_CASE("bad input: a model request too large to lower is refused before lowering it",
          "[cli][bad-input]") {
    const ScratchDir dir;
    const std::string deep_text = R"({"name": "deep", "layers": 10000, "hidden_size": 768,
            "attention_heads": 12, "intermediate_size": 3072, "vocab_size": 30522,
            "max_position_embeddings": 512, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
            "sequence_length": 128, "pooler": true, "num_labels": 2, "matmul_dtype": "bf16"})";
    const std::string deep = dir.write("deep.json", deep_text);
    std::string vocab_text = deep_text;
    vocab_text.replace(vocab_text.find("\"layers\": 10000"), 15, "\"layers\": 12");
    vocab_text.replace(vocab_text.find("30522"), 5, "1e12");
    const std::string vocab = dir.write("vocab.json", vocab_text);
    require_rows({
        {{"model", deep, "--instance", "inf1.xlarge"}, 2, {"deep", "GiB of device memory"}},
        {{"model", vocab, "--instance", "inf1.xlarge"},
         2,
         {"$.vocab_size", "found 1000000000000.0", "written as one"}},
        {{"model", "bert-base-uncased", "--instance", "inf1.xlarge", "--batch", "1000"},
         2,
         {"batch 1000", "--max-instructions"}},
        {{"model", "bert-base-uncased", "--instance", "inf1.xlarge", "--batch", "10000"},
         2,
         {"batch 10000", "--max-instructions"}},
        {{"train", "bert-base-uncased", "--instance", "trn1.2xlarge", "--batch", "100000"},
         2,
         {"training step", "--max-instructions"}},
        {{"model", "bert-base-uncased", "--instance", "inf1.xlarge", "--max-instructions", "10"},
         2,
         {"--max-instructions"}},
    });
}
