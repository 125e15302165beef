// A sweep directory: points written and read back as they were, results found by point, the
// reasons of points without one kept, and records of another study file refused.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/sweep_dir.h"
#include "runtime/sweep_point_json.h"
#include "tests/runtime/temp_dir.h"

using Catch::Contains;
using namespace nsim::runtime;
namespace fs = std::filesystem;

namespace {

Study two_point_study(const std::string& text) {
    Study study{"two", "study.json", study_hash(text), {}, {"a skipped point"}, {}};
    for (uint32_t batch : {1u, 8u}) {
        StudyPoint p{{}, "big-sbuf"};
        p.request.model = "bert-base-uncased";
        p.request.instance = "inf1.xlarge";
        p.request.parallel = Parallelism::pipeline;
        p.request.pipeline_cores = 4;
        p.request.batch = batch;
        p.request.sets = {"chip.sbuf.size_bytes=50331648"};
        study.points.push_back(p);
    }
    return study;
}

void write_record(const SweepDir& dir, const PointRecord& record) {
    write_file_atomically(dir.result_file(record.index), nlohmann::json(record).dump());
}

}  // namespace

TEST_CASE("sweep dir: the points read back are the points written", "[runtime]") {
    const nsim::test::TempDir temp("nsim-sweep-dir");
    const SweepDir dir(temp.path.string());
    const Study study = two_point_study("{}");
    dir.write_points(study);
    const Study back = dir.read_points();
    CHECK(back.name == study.name);
    CHECK(back.hash == study.hash);
    CHECK(back.skipped == study.skipped);
    REQUIRE(back.points.size() == 2);
    const ModelRequest& r = back.points[1].request;
    CHECK(back.points[1].override == "big-sbuf");
    CHECK(r.batch == 8);
    CHECK(r.parallel == Parallelism::pipeline);
    CHECK(r.pipeline_cores == 4);
    CHECK(r.sets == study.points[1].request.sets);
}

TEST_CASE("sweep dir: points without a record are missing, and fail with the kept reason",
          "[runtime]") {
    const nsim::test::TempDir temp("nsim-sweep-dir");
    const SweepDir dir(temp.path.string());
    const Study study = two_point_study("{}");
    dir.write_points(study);
    CHECK(dir.missing(study) == std::vector<size_t>{0, 1});
    write_record(dir, {study.hash, 1, "node7", "0.1.0", std::nullopt, "deadlock"});
    dir.write_failures({{0, "Slurm task 5_0 ended TIMEOUT"}});
    CHECK(dir.missing(study) == std::vector<size_t>{0});
    const auto results = dir.gather(study);
    REQUIRE(results.size() == 2);
    CHECK(results[0].error == "Slurm task 5_0 ended TIMEOUT");
    CHECK(results[1].error == "deadlock");
    CHECK(results[1].node == "node7");
    CHECK(results[1].point == &study.points[1]);
    for (const auto& entry : fs::directory_iterator(temp.path / "results"))
        CHECK_THAT(entry.path().string(), !Contains(".tmp"));  // renamed into place
}

TEST_CASE("sweep dir: a record or a directory of another study file is refused", "[runtime]") {
    const nsim::test::TempDir temp("nsim-sweep-dir");
    const SweepDir dir(temp.path.string());
    const Study study = two_point_study("{}");
    dir.write_points(study);
    const Study other = two_point_study("{\"requests\": 5}");
    CHECK(other.hash != study.hash);
    CHECK_THROWS_WITH(dir.write_points(other), Contains("holds the points of another study"));
    write_record(dir, {other.hash, 0, "n", "0.1.0", std::nullopt, "e"});
    CHECK_THROWS_AS(dir.gather(study), nsim::InputError);
    write_record(dir, {study.hash, 1, "n", "0.1.0", std::nullopt, "e"});  // at point 0's place
    fs::rename(dir.result_file(1), dir.result_file(0));
    CHECK_THROWS_WITH(dir.gather(study), Contains("a result of point 1"));
}
