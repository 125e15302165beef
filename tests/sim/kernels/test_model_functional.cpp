// Lowered BERT models run in the simulator against the fp32 reference (compiler/model_reference).
//
// Tolerance: matmul inputs are rounded to bf16 (8 significant bits, relative error <= 2^-9), as
// neuron-cc's default auto-cast does; PSUM accumulates in fp32. Each output of a K-long dot product
// then carries a random error of about 2^-9 * sqrt(K) * |x||w| ~ 0.3% of its spread; through the
// LayerNorm-ed activations (magnitude ~1-4) of a layer the measured max absolute error is
// 0.01-0.02, so 0.05 passes bf16 rounding and catches any wrong index or missing term (errors of
// order 1). With fp32 matmuls the same programs agree to 1e-4 (measured 2.4e-6): the gap is bf16
// alone.
#include <catch2/catch.hpp>

#include "compiler/model_reference.h"
#include "model_test_util.h"

using namespace nsim;

namespace {

constexpr uint64_t kSeed = 7;
constexpr double kTolerance = 0.05;

compiler::ModelSpec one_layer_bert_base() {
    auto spec = compiler::load_model(NSIM_SOURCE_DIR "/examples/models/bert-base-uncased.json");
    spec.layers = 1;
    return spec;
}

// BERT-base's shape scaled down: 256 features in 4 heads of 64, 512 intermediate, 1000 words.
compiler::ModelSpec tiny_bert(uint32_t layers) {
    auto spec = one_layer_bert_base();
    spec.hidden = 256;
    spec.heads = 4;
    spec.intermediate = 512;
    spec.layers = layers;
    spec.vocab = 1000;
    return spec;
}

// Padding: the last 16 tokens of every sequence are masked out.
std::vector<float> padded_mask(uint32_t batch, uint32_t seq) {
    std::vector<float> m(size_t(batch) * seq, 1.0f);
    for (uint32_t s = 0; s < batch; ++s)
        for (uint32_t t = seq - 16; t < seq; ++t) m[size_t(s) * seq + t] = 0;
    return m;
}

std::vector<int32_t> some_ids(uint32_t batch, uint32_t seq) {
    std::vector<int32_t> ids(size_t(batch) * seq);
    for (size_t i = 0; i < ids.size(); ++i)
        ids[i] = int32_t((i / 3) * 37 % 1000);  // runs of 3 equal ids
    return ids;
}

// Lowers `spec`, runs every stage's load then infer in one program, compares with the reference;
// returns each stage's units ("embeddings, layer0.attention", ...).
std::vector<std::string> check_against_reference(const compiler::ModelSpec& spec, uint32_t batch,
                                                 const compiler::PartitionPlan& plan,
                                                 double tolerance = kTolerance,
                                                 const std::string& chip_name = "inf1") {
    const auto chip = sim::load_chip(chip_name);
    compiler::LowerOptions options;
    options.token_ids = some_ids(batch, spec.sequence_length);
    options.keep_sequential = true;
    const auto m = compiler::lower_model(spec, batch, chip.generation, chip.limits, plan, options);
    std::vector<const isa::Program*> parts;
    for (const auto& st : m.stages) {
        parts.push_back(&st.load_sequential);
        parts.push_back(&st.infer_sequential);
    }
    const auto program = compiler::concat_sequential(parts, "model");
    sim::DeviceMemory hbm;
    hbm.allocate(program.tensors);
    test::fill_weights(hbm, program, m.weights, kSeed);
    const auto mask = padded_mask(batch, spec.sequence_length);
    hbm.set_values("attention_mask", mask);
    const auto r = test::run_sequential(program, chip, hbm);
    CHECK(r.race_count == 0);
    CHECK(r.uninitialized_reads.empty());
    const auto ref = compiler::reference_forward(spec, batch, kSeed, options.token_ids, mask);
    const size_t tokens = size_t(batch) * spec.sequence_length;
    const double err = compiler::max_error_feature_major(hbm.values("hidden_states"), ref.hidden,
                                                         spec.hidden, tokens);
    WARN("max |hidden - reference| = " << err << " over " << tokens << " tokens, simulated "
                                       << r.time_ns / 1e3 << " us");
    CHECK(err < tolerance);
    if (spec.pooler) {
        const double perr = compiler::max_error_feature_major(hbm.values("pooled_output"),
                                                              ref.pooled, spec.hidden, batch);
        const double lerr = compiler::max_error_feature_major(hbm.values("logits"), ref.logits,
                                                              spec.num_labels, batch);
        WARN("max |pooled - reference| = " << perr << ", max |logits - reference| = " << lerr);
        CHECK(perr < tolerance);
        CHECK(lerr < tolerance);
    }
    std::vector<std::string> units;
    for (const auto& st : m.stages) {
        units.emplace_back();
        for (const auto& u : st.units) units.back() += (units.back().empty() ? "" : ", ") + u;
    }
    return units;
}

}  // namespace

TEST_CASE(
    "model: one BERT-base layer on one inf1 core matches the fp32 reference within bf16 tolerance",
    "[sim]") {
    check_against_reference(one_layer_bert_base(), 1, compiler::PartitionPlan::data_parallel());
}

TEST_CASE("model: a tiny 2-stage pipeline run stage after stage matches the fp32 reference",
          "[sim]") {
    check_against_reference(tiny_bert(2), 2, compiler::PartitionPlan::pipeline(2));
}

TEST_CASE(
    "model: a tiny BERT layer cut at every step, stages handing on the attention context and the "
    "feed-forward input, matches the fp32 reference",
    "[sim]") {
    // Self-attention | output projection | four feed-forward steps of 128 intermediate features.
    const auto units =
        check_against_reference(tiny_bert(1), 2, compiler::PartitionPlan::pipeline(6));
    CHECK(units.at(0) == "embeddings, layer0.attention.self");
    CHECK(units.at(1) == "layer0.attention.output");
    CHECK(units.at(2) == "layer0.ffn[0:128]");
    CHECK(units.at(5) == "layer0.ffn[384:512], head");
}

TEST_CASE(
    "model: pipeline stages holding feed-forward parts of several 1024-feature chunks match the "
    "fp32 reference",
    "[sim]") {
    auto spec = tiny_bert(1);
    spec.intermediate = 2304;  // 18 steps: the stages cut inside the feed-forward block
    const auto units = check_against_reference(spec, 1, compiler::PartitionPlan::pipeline(3));
    CHECK(units.at(1) == "layer0.attention.output, layer0.ffn[0:1152]");  // 1024 + 128 features
    CHECK(units.at(2) == "layer0.ffn[1152:2304], head");
}

TEST_CASE("model: with fp32 matmuls the simulated layer matches the reference to fp32 rounding",
          "[sim]") {
    auto spec = tiny_bert(1);
    spec.matmul_dtype = isa::DType::float32;
    check_against_reference(spec, 1, compiler::PartitionPlan::data_parallel(), 1e-4);
}

TEST_CASE("model: a tiny BERT pipeline on trn1 cores (NeuronCore-v2) matches the fp32 reference",
          "[sim]") {
    check_against_reference(tiny_bert(2), 3, compiler::PartitionPlan::pipeline(3), kTolerance,
                            "trn1");
}

// Hidden from ctest ([.]): about 20 s alone. Run it with nsim_sim_tests "[slow]". The bf16 error
// grows with depth: measured 0.033 after 12 layers, held to 0.1.
TEST_CASE("model: the full 12-layer BERT-base on one inf1 core matches the fp32 reference",
          "[sim][slow][.]") {
    check_against_reference(
        compiler::load_model(NSIM_SOURCE_DIR "/examples/models/bert-base-uncased.json"), 1,
        compiler::PartitionPlan::data_parallel(), 0.1);
}
