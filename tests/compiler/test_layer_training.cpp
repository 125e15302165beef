// One encoder layer's training kernels: the backward pass has the real backward matmuls (twice the
// forward's multiply-adds) and both passes lower for the BERT models.
#include <map>

#include <catch2/catch.hpp>

#include "compiler/kernel_context.h"
#include "compiler/layer_training.h"
#include "isa/diagnostic.h"
#include "isa/verifier.h"

using namespace nsim;
using namespace nsim::compiler;

namespace {

ModelSpec model(const std::string& name) {
    return load_model(std::string(NSIM_SOURCE_DIR) + "/examples/models/" + name + ".json");
}

uint64_t matmul_multiply_adds(const std::vector<BackwardStep>& steps) {
    uint64_t total = 0;
    for (const auto& s : steps)
        if (s.is_matmul) total += s.matmul.multiply_adds();
    return total;
}

}  // namespace

TEST_CASE("layer training: the backward matmuls do twice the forward's multiply-adds",
          "[compiler]") {
    for (const char* name : {"bert-base-uncased", "bert-large-uncased"}) {
        const ModelSpec spec = model(name);
        uint64_t forward = 0;
        for (const auto& m : layer_forward_matmuls(spec, 3)) forward += m.multiply_adds();
        CHECK(matmul_multiply_adds(layer_backward_steps(spec, 3)) == 2 * forward);
    }
}

TEST_CASE("layer training: y = x W gives dX = dY W^T and dW = X^T dY, attention four per head",
          "[compiler]") {
    const ModelSpec spec = model("bert-base-uncased");  // H 768, I 3072, 12 heads of 64, S 128
    std::map<std::string, MatmulShape> by_name;
    for (const auto& s : layer_backward_steps(spec, 2))
        if (s.is_matmul) by_name[s.matmul.name] = s.matmul;
    const auto is = [&](const std::string& n, uint32_t k, uint32_t m, uint32_t cols,
                        uint32_t count) {
        INFO(n);
        REQUIRE(by_name.count(n));
        const MatmulShape& s = by_name[n];
        CHECK((s.k == k && s.m == m && s.n == cols && s.count == count));
    };
    is("ffn.intermediate.dX", 3072, 768, 256, 1);  // contracts the 3072 outputs, for 256 tokens
    is("ffn.intermediate.dW", 256, 768, 3072, 1);  // contracts the tokens
    is("ffn.output.dX", 768, 3072, 256, 1);
    is("attention.query.dW", 256, 768, 768, 1);
    is("attention.dV", 128, 128, 64, 24);
    is("attention.dP", 64, 128, 128, 24);
    is("attention.dQ", 128, 128, 64, 24);
    is("attention.dK", 128, 128, 64, 24);
    CHECK(by_name.size() == 16);  // 6 projections x 2 + 4 attention products
}

TEST_CASE("layer training: both passes lower to verified programs for BERT-large, bf16 and fp32",
          "[compiler]") {
    const auto limits = isa::default_limits(isa::Generation::v2);
    for (const isa::DType dtype : {isa::DType::bfloat16, isa::DType::float32}) {
        ModelSpec spec = model("bert-large-uncased");
        spec.matmul_dtype = dtype;
        const LayerTrainingPrograms p =
            lower_layer_training(spec, 4, dtype, isa::Generation::v2, limits);
        for (const isa::Program* program : {&p.forward, &p.backward}) {
            std::string found;
            for (const auto& d : isa::verify(*program, limits))
                found += isa::format_diagnostic(program->name, d) + "\n";
            CHECK(found == "");
        }
        CHECK(p.backward.instructions.size() > p.forward.instructions.size());
        // The backward's saved activations and gradients are in the training type.
        CHECK(p.backward.find_tensor("ffn.gelu.saved")->dtype == dtype);
        CHECK(p.backward.find_tensor("attention.query.dW.c")->dtype == dtype);
    }
    CHECK_THROWS_AS(lower_layer_training(model("bert-large-uncased"), 0, isa::DType::bfloat16,
                                         isa::Generation::v2, limits),
                    LoweringError);
}

TEST_CASE("layer training: dW over more than 2048 tokens is split into token groups",
          "[compiler]") {
    const ModelSpec spec = model("bert-base-uncased");
    uint64_t forward = 0;
    for (const auto& m : layer_forward_matmuls(spec, 40)) forward += m.multiply_adds();
    const auto steps = layer_backward_steps(spec, 40);  // 5120 tokens: groups of 2048, 2048, 1024
    CHECK(matmul_multiply_adds(steps) == 2 * forward);
    std::vector<uint32_t> groups;
    for (const auto& s : steps)
        if (s.is_matmul && s.matmul.name.rfind("ffn.output.dW", 0) == 0)
            groups.push_back(s.matmul.k);
    CHECK(groups == std::vector<uint32_t>{2048, 2048, 1024});
}
