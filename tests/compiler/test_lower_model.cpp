// Lowering BERT-family models: program sizes, placement, and the errors of impossible requests.
#include <catch2/catch.hpp>

#include "compiler/lower_model.h"
#include "isa/verifier.h"

using namespace nsim;
using compiler::PartitionPlan;

namespace {

compiler::ModelSpec model(const std::string& name) {
    return compiler::load_model(NSIM_SOURCE_DIR "/examples/models/" + name + ".json");
}

const isa::TargetLimits kInf1 = isa::default_limits(isa::Generation::v1);

size_t errors_of(const isa::Program& p) {
    const auto d = isa::verify(p, kInf1);
    for (size_t i = 0; i < std::min<size_t>(d.size(), 5); ++i) UNSCOPED_INFO(d[i].message);
    return d.size();
}

}  // namespace

TEST_CASE("lowering: one BERT-base layer on one inf1 core gives verified programs", "[compiler]") {
    auto spec = model("bert-base-uncased");
    spec.layers = 1;
    const auto m = compiler::lower_model(spec, 1, isa::Generation::v1, kInf1, PartitionPlan::data_parallel());
    REQUIRE(m.stages.size() == 1);
    CHECK(errors_of(m.stages[0].infer) == 0);
    CHECK(m.stages[0].load.instructions.empty());
    CHECK(m.stages[0].streamed_weight_bytes > 0);
}
