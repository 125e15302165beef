// `nsim sweep STUDY.json --out DIR`: every point of a study (models x instances x modes x batches x
// override sets), each simulated in its own process, as results.csv, results.json and figures.
#include <filesystem>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "cli/child_process.h"
#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/study.h"
#include "cli/study_output.h"
#include "isa/error.h"

namespace nsim::cli {

namespace {

struct SweepOptions {
    std::string study;
    std::string out;
    unsigned jobs = 0;
    bool figures = true;
};

std::string describe_point(const StudyPoint& p) {
    return fmt::format("{} {} {} batch {}{}", p.request.model, p.request.instance, p.mode,
                       p.request.batch, p.override == "default" ? "" : " [" + p.override + "]");
}

int sweep_command(const SweepOptions& o) {
    const Study study = load_study(o.study);
    for (const auto& s : study.skipped) fmt::print(stderr, "nsim sweep: skipped {}\n", s);
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec)
        throw nsim::UsageError(fmt::format("--out {}: cannot create it: {}", o.out, ec.message()));

    const unsigned jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    std::vector<PointResult> results(study.points.size());
    std::vector<Child> running;
    std::vector<size_t> running_points;
    size_t next = 0, finished = 0, failed = 0;
    fmt::print(stderr, "nsim sweep: {} points of {}, {} at a time\n", study.points.size(),
               study.name, jobs);
    while (finished < study.points.size()) {
        while (running.size() < jobs && next < study.points.size()) {
            const ModelRequest request = study.points[next].request;
            running.push_back(start_child([request] { return run_model(request).dump(); }));
            running_points.push_back(next++);
        }
        auto [slot, outcome] = wait_any(running);
        const size_t point = running_points[slot];
        running_points.erase(running_points.begin() + long(slot));
        results[point] = PointResult{&study.points[point], outcome.ok, outcome.text};
        ++finished;
        failed += !outcome.ok;
        fmt::print(stderr, "[{}/{}] {}: {}\n", finished, study.points.size(),
                   describe_point(study.points[point]), point_progress(results[point]));
    }
    const std::string dir = o.out;
    write_text_file(dir + "/results.json", results_json(study, results));
    write_text_file(dir + "/results.csv", results_csv(results));
    fmt::print("wrote {0}/results.csv and {0}/results.json\n", dir);
    if (o.figures && failed < study.points.size()) draw_figures(dir, study.name);
    if (failed > 0) {
        fmt::print(stderr, "nsim sweep: {} of {} points failed (see results.json)\n", failed,
                   study.points.size());
        return kExitKernelError;
    }
    return kExitOk;
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
    auto o = std::make_shared<SweepOptions>();
    CLI::App* sub = app.add_subcommand(
        "sweep", "Run every point of a study file: results.csv, results.json, figures");
    sub->add_option("STUDY", o->study, "Study file (see examples/studies/)")
        ->required()
        ->check(CLI::ExistingFile);
    sub->add_option("--out", o->out, "Directory for results.csv, results.json and the figures")
        ->required();
    sub->add_option("--jobs", o->jobs, "Points simulated at once (default: the host's cores)");
    sub->add_flag("!--no-figures", o->figures, "Write the tables only");
    sub->footer(
        "Progress goes to stderr. Exit codes: 0 all points ran, 1 some point failed, 2 bad study "
        "or flags.");
    return {sub, [o] { return sweep_command(*o); }};
}

}  // namespace nsim::cli
