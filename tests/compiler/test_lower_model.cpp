// Lowering BERT-family models: program sizes, placement, stage hand-over, and the errors of
// impossible requests.
#include <set>

#include <catch2/catch.hpp>

#include "compiler/lower_model.h"
#include "isa/verifier.h"

using namespace nsim;
using compiler::PartitionPlan;

namespace {

compiler::ModelSpec model(const std::string& name) {
    return compiler::load_model(NSIM_SOURCE_DIR "/examples/models/" + name + ".json");
}

compiler::ModelSpec small_model() {
    auto spec = model("bert-base-uncased");
    spec.layers = 2;
    spec.hidden = 256;
    spec.heads = 4;
    spec.intermediate = 512;
    spec.vocab = 1000;
    return spec;
}

const isa::TargetLimits kInf1 = isa::default_limits(isa::Generation::v1);

compiler::LoweredModel lower(const compiler::ModelSpec& spec, uint32_t batch,
                             const PartitionPlan& plan) {
    return compiler::lower_model(spec, batch, isa::Generation::v1, kInf1, plan);
}

// BERT-base at batch 1 over `stages` inf1 cores, streaming the weights that do not fit.
compiler::LoweredModel bert_base_pipeline(uint32_t stages) {
    auto plan = PartitionPlan::pipeline(stages);
    plan.stream_weights_that_do_not_fit = true;
    auto m = lower(model("bert-base-uncased"), 1, plan);
    REQUIRE(m.stages.size() == stages);
    return m;
}

std::string error_of(const compiler::ModelSpec& spec, uint32_t batch, const PartitionPlan& plan) {
    try {
        lower(spec, batch, plan);
    } catch (const compiler::LoweringError& e) {
        return e.what();
    }
    FAIL("no lowering error");
    return "";
}

size_t errors_of(const isa::Program& p) {
    const auto d = isa::verify(p, kInf1);
    for (size_t i = 0; i < std::min<size_t>(d.size(), 5); ++i) UNSCOPED_INFO(d[i].message);
    return d.size();
}

}  // namespace

TEST_CASE(
    "lowering: one BERT-base layer on one inf1 core gives verified programs that stream every "
    "weight",
    "[compiler]") {
    auto spec = model("bert-base-uncased");
    spec.layers = 1;
    const auto m = lower(spec, 2, PartitionPlan::data_parallel());
    REQUIRE(m.stages.size() == 1);
    const auto& st = m.stages[0];
    CHECK(errors_of(st.infer) == 0);
    CHECK(st.load.instructions.empty());
    CHECK(st.resident_weight_bytes == 0);
    CHECK(st.streamed_weight_bytes > 14'000'000);  // one layer's bf16 matrices alone are 14.2 MB
    CHECK(st.infer.form == isa::ProgramForm::streams);
    CHECK(st.input_bytes == 2 * 128 * (4 + 4));  // input_ids + attention_mask
}

TEST_CASE(
    "lowering: BERT-base batch 64 on one inf1 core stays within a few hundred thousand "
    "instructions",
    "[compiler]") {
    const auto m = lower(model("bert-base-uncased"), 64, PartitionPlan::data_parallel());
    const size_t n = m.stages[0].infer.instructions.size();
    WARN("BERT-base batch 64 infer: " << n << " instructions");
    CHECK(n < 400'000);
    // The most sequences whose activations fit 12 MiB next to the weight staging, the
    // feed-forward's intermediate activations computed 1024 features at a time.
    CHECK(m.stages[0].seqs_per_group == 8);
    CHECK(m.stages[0].sbuf_bytes_per_partition <= kInf1.sbuf_partition_bytes);
}

TEST_CASE("lowering: each pipeline stage's output is the next stage's input, same name and shape",
          "[compiler]") {
    const auto m = lower(small_model(), 3, PartitionPlan::pipeline(4));
    REQUIRE(m.stages.size() == 4);
    for (size_t s = 0; s + 1 < m.stages.size(); ++s) {
        const auto& out = m.stages[s].outputs.at(0);
        bool found = false;
        for (const auto& in : m.stages[s + 1].inputs)
            if (in.name == out.name) found = in.shape == out.shape && in.dtype == out.dtype;
        CHECK(found);
        CHECK(m.stages[s].resident_weight_bytes > 0);
        CHECK(m.stages[s].streamed_weight_bytes == 0);
        CHECK(!m.stages[s].load.instructions.empty());
        CHECK(errors_of(m.stages[s].infer) == 0);
    }
    CHECK(m.stages.front().units.front() == "embeddings");
    CHECK(m.stages.back().units.back() == "head");
    CHECK(m.model_outputs.size() == 3);  // hidden_states, pooled_output, logits
}

TEST_CASE("lowering: batch 0 is an error", "[compiler]") {
    CHECK_THAT(error_of(small_model(), 0, PartitionPlan::data_parallel()),
               Catch::Contains("batch 0, expected a batch of at least 1"));
}

TEST_CASE(
    "lowering: a pipeline with more stages than the model has steps to cut between is an error",
    "[compiler]") {
    // Per layer: self-attention, attention output, and 512 / 128 feed-forward steps.
    CHECK_THAT(error_of(small_model(), 1, PartitionPlan::pipeline(13)),
               Catch::Contains("a pipeline of 13 stages, expected 1 to 12 (a stage per step"));
    CHECK_THAT(error_of(small_model(), 1, PartitionPlan::pipeline(0)),
               Catch::Contains("a pipeline of 0 stages"));
}

TEST_CASE(
    "lowering: a pipeline stage whose weights do not fit SBUF is an error naming the stage and "
    "sizes",
    "[compiler]") {
    const auto e = error_of(model("bert-base-uncased"), 1, PartitionPlan::pipeline(4));
    CHECK_THAT(e, Catch::Contains("pipeline stage 0 of 4 (embeddings, layer0.attention"));
    CHECK_THAT(e, Catch::Contains("need 332760 bytes per SBUF partition (40.62 MiB per core), "
                                  "expected at most 98304 (12.00 MiB"));
}

TEST_CASE(
    "lowering: a stage whose working set does not fit next to its weights is an error naming it",
    "[compiler]") {
    auto limits = kInf1;
    auto spec = small_model();
    // Each stage's share of the 17 KiB of weights fits, the activations of a sequence beside it
    // do not.
    limits.sbuf_partition_bytes = 6 * 1024;
    try {
        compiler::lower_model(spec, 1, isa::Generation::v1, limits, PartitionPlan::pipeline(4));
        FAIL("no lowering error");
    } catch (const compiler::LoweringError& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("pipeline stage 0 of 4"));
        CHECK_THAT(std::string(e.what()), Catch::Contains("with one sequence per group"));
    }
}

TEST_CASE("lowering: token ids outside the vocabulary are an error", "[compiler]") {
    compiler::LowerOptions options;
    options.token_ids.assign(128, 5);
    options.token_ids[17] = 1000;
    CHECK_THROWS_WITH(compiler::lower_model(small_model(), 1, isa::Generation::v1, kInf1,
                                            PartitionPlan::data_parallel(), options),
                      Catch::Contains("token id 1000 at position 17, expected 0 to 999"));
}

TEST_CASE(
    "lowering: inf1.6xlarge's 16-core BERT-base pipeline keeps every weight resident in its "
    "stages' SBUF",
    "[compiler]") {
    // 171 MB of matrices against 16 x 12 MiB: it fits with cuts inside the blocks only.
    const auto m = bert_base_pipeline(16);
    uint64_t resident = 0;
    bool cut_in_attention = false, cut_in_ffn = false;
    for (const auto& st : m.stages) {
        std::string units;
        for (const auto& u : st.units) units += (units.empty() ? "" : ", ") + u;
        WARN(units << ": " << st.resident_weight_bytes << " bytes resident, SBUF peak "
                   << st.sbuf_bytes_per_partition << " per partition");
        CHECK(st.streamed_weight_bytes == 0);
        CHECK(st.sbuf_bytes_per_partition <= kInf1.sbuf_partition_bytes);
        resident += st.resident_weight_bytes;
        for (const auto& in : st.inputs) {
            cut_in_attention |= in.name.rfind("context", 0) == 0;
            cut_in_ffn |= in.name.rfind("ffn_input", 0) == 0;
        }
    }
    CHECK(resident > 170'000'000);  // every matrix of the 12 layers and the head
    CHECK(cut_in_attention);
    CHECK(cut_in_ffn);
}

TEST_CASE("lowering: the pipeline split balances BERT-base's steps and reports their SBUF needs",
          "[compiler]") {
    const auto plans =
        compiler::plan_pipeline(model("bert-base-uncased"), 1, 16, isa::Generation::v1, kInf1);
    REQUIRE(plans.size() == 16);
    for (const auto& p : plans) {
        CHECK(!p.units.empty());
        CHECK(p.weight_bytes_per_partition < kInf1.sbuf_partition_bytes);
    }
    CHECK(plans.front().units.front() == "embeddings");
    CHECK(plans.back().units.back() == "head");
    double total = 0, most = 0;
    for (const auto& p : plans) total += p.cost, most = std::max(most, p.cost);
    WARN("slowest stage's estimate " << most << " cycles, mean " << total / 16);
    CHECK(most < 1.2 * total / 16);  // cut at whole blocks, the slowest held 1.32x the mean
}

TEST_CASE(
    "lowering: with streaming allowed, a stage too big for SBUF keeps what fits resident and "
    "streams the rest",
    "[compiler]") {
    const auto m = bert_base_pipeline(4);
    for (const auto& st : m.stages) {
        CHECK(st.resident_weight_bytes >
              4'700'000);  // at least an attention block's four 1.2 MB matrices
        CHECK(st.resident_weight_bytes < 12'600'000);  // at most the 12 MiB SBUF
        CHECK(st.streamed_weight_bytes > 0);
        CHECK(st.sbuf_bytes_per_partition <= kInf1.sbuf_partition_bytes);
        CHECK(!st.load.instructions.empty());
    }
}

TEST_CASE(
    "lowering: a target whose partitions are not the kernels' 128 is an error naming the limit",
    "[compiler]") {
    auto limits = kInf1;
    limits.partitions = 256;  // a what-if array: the model kernels are written for 128
    try {
        compiler::lower_model(small_model(), 1, isa::Generation::v1, limits,
                              PartitionPlan::data_parallel());
        FAIL("no lowering error");
    } catch (const compiler::LoweringError& e) {
        CHECK_THAT(std::string(e.what()),
                   Catch::Contains("the target has 256 partitions (limits.partitions), expected "
                                   "128"));
    }
}

TEST_CASE(
    "lowering: streamed weights pass through the SBUF the stage leaves, in full-width rows over "
    "all 16 DMA queues on NeuronCore-v2 and on v1's 32 semaphores",
    "[compiler]") {
    auto spec = model("bert-base-uncased");
    spec.layers = 1;
    for (const auto g : {isa::Generation::v1, isa::Generation::v2}) {
        const auto limits = isa::default_limits(g);
        const auto m = compiler::lower_model(spec, 1, g, limits, PartitionPlan::data_parallel());
        const auto& st = m.stages.at(0);
        CHECK(isa::verify(st.infer, limits).empty());
        // The staging ring takes what the working set leaves: SBUF is nearly full (the old two
        // 8 KiB slots left most of it unused at batch 1).
        CHECK(st.sbuf_bytes_per_partition > limits.sbuf_partition_bytes - 1024);
        std::set<int64_t> queues;
        uint64_t widest_row = 0;
        for (const auto& inst : st.infer.instructions) {
            if (inst.op != isa::Opcode::dma_copy) continue;
            queues.insert(std::get<int64_t>(inst.arg("queue")));
            const auto* src = inst.ap("src");
            if (src->tensor == "layer0.attention.query.weight")
                widest_row = std::max(widest_row, src->free_size() * 2);
        }
        CHECK(queues.size() == 16);    // v1: 16 queues + 5 engines within its 32 semaphores
        CHECK(widest_row == 768 * 2);  // a whole row of the 768x768 matrix per descriptor
    }
}
