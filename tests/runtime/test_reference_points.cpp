#include <fstream>

#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/reference_points.h"
#include "runtime/study.h"
#include "temp_dir.h"

using namespace nsim::runtime;

namespace {

const std::string kGpuReference =
    std::string(NSIM_SOURCE_DIR) + "/examples/studies/gpu-reference.json";

const ReferencePoint& find(const std::vector<ReferencePoint>& points, const std::string& series,
                           std::optional<unsigned> batch) {
    for (const auto& p : points)
        if (p.series == series && p.batch == batch) return p;
    FAIL("no reference point " << series);
    throw;
}

std::string load_error(const std::string& rows) {
    nsim::test::TempDir dir("nsim-reference");
    const std::string file = (dir.path / "ref.json").string();
    std::ofstream(file) << R"({"rows": [)" << rows << "]}";
    try {
        load_reference_points(file);
    } catch (const nsim::ConfigError& e) {
        return e.what();
    }
    return "no error";
}

const std::string kRow =
    R"("id": "X", "series": "s", "instance": "i", "model": "m", "sequence_length": 128,)"
    R"( "price_per_hour_usd": 1.0, "source": "a blog", "conditions": "c")";

}  // namespace

TEST_CASE("the published GPU rows load, with throughput and cost derived where not published") {
    const auto points = load_reference_points(kGpuReference);
    // T4 TensorRT FP16 batch 1: throughput published (513/s), cost from the g4dn.xlarge price.
    const auto& t4 = find(points, "T4 TensorRT FP16 (g4dn.xlarge)", 1u);
    CHECK(*t4.throughput_per_s == Approx(513));
    CHECK(*t4.cost_per_1m_usd == Approx(0.526e6 / (3600 * 513)));
    // A10G batch 1 seq 128: only the latency is published, throughput = 1000 / 8.232 ms.
    const auto for_study = reference_points_for(points, "bert-base-uncased", 128);
    const auto& a10g = find(for_study, "A10G PyTorch fp32 (g5.xlarge)", 1u);
    CHECK(*a10g.throughput_per_s == Approx(1000 / 8.232));
    // MXNet on T4: only the cost ($0.20 per 1M) is published; the reference's "about 730/s".
    const auto& mxnet = find(for_study, "T4 MXNet GluonNLP (g4dn.xlarge)", std::nullopt);
    CHECK(*mxnet.throughput_per_s == Approx(730).epsilon(0.01));
    for (const auto& p : for_study) {
        CHECK(p.sequence_length == 128);
        CHECK(p.model == "bert-base-uncased");
        CHECK_FALSE(p.source.empty());
    }
    CHECK(for_study.size() < points.size());  // seq 8 and 512, bert-large left out
}

TEST_CASE("the inf1 reference study carries the GPU rows for its model") {
    const Study study =
        load_study(std::string(NSIM_SOURCE_DIR) + "/examples/studies/inf1-bert-base.json");
    REQUIRE_FALSE(study.references.empty());
    for (const auto& p : study.references) CHECK(p.sequence_length == 128);
}

TEST_CASE("a bad reference row is refused naming the file, the row and the key") {
    CHECK_THAT(load_error("{" + kRow + R"(, "latency_ms_avg": -1})"),
               Catch::Contains("/rows/0/latency_ms_avg: expected a positive number"));
    CHECK_THAT(load_error("{" + kRow + R"(, "latency": 3})"),
               Catch::Contains("/rows/0/latency: unknown key"));
    CHECK_THAT(load_error("{" + kRow + "}"), Catch::Contains("expected at least one of"));
    std::string no_source = kRow;
    no_source.replace(no_source.find(R"("source": "a blog")"), 18, R"("source": "")");
    CHECK_THAT(load_error("{" + no_source + R"(, "batch": 1, "latency_ms_avg": 2})"),
               Catch::Contains("/rows/0/source: expected a non-empty string"));
    CHECK_THAT(load_error(""), Catch::Contains("/rows: expected a non-empty list"));
}
