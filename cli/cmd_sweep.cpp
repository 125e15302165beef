// `nsim sweep STUDY.json --out DIR`: every point of a study (models x instances x modes x batches x
// override sets), each simulated in its own process, as results.csv, results.json and figures.
#include <filesystem>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/number_arg.h"
#include "cli/study_output.h"
#include "isa/error.h"
#include "runtime/study.h"
#include "runtime/study_run.h"

namespace nsim::cli {

namespace {

struct SweepOptions {
    std::string study;
    std::string out;
    unsigned jobs = 0;
    bool figures = true;
};

std::string describe_point(const runtime::StudyPoint& p) {
    return fmt::format("{} {} {} batch {}{}", p.request.model, p.request.instance,
                       runtime::mode_label(p.request), p.request.batch,
                       p.override == "default" ? "" : " [" + p.override + "]");
}

int sweep_command(const SweepOptions& o) {
    const runtime::Study study = runtime::load_study(o.study);
    for (const auto& s : study.skipped) fmt::print(stderr, "nsim sweep: skipped {}\n", s);
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec)
        throw nsim::UsageError(fmt::format("--out {}: cannot create it: {}", o.out, ec.message()));

    const unsigned jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    fmt::print(stderr, "nsim sweep: {} points of {}, {} at a time\n", study.points.size(),
               study.name, jobs);
    size_t failed = 0;
    const std::vector<runtime::PointResult> results =
        runtime::run_study(study, jobs, [&](const runtime::PointResult& r, size_t finished) {
            failed += !r.result;
            fmt::print(stderr, "[{}/{}] {}: {}\n", finished, study.points.size(),
                       describe_point(*r.point), point_progress(r));
        });
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
    sub->add_option("--jobs", o->jobs, "Points simulated at once (default: the host's cores)")
        ->check(whole_number(1, 1024));
    sub->add_flag("!--no-figures", o->figures, "Write the tables only");
    sub->footer(
        "Progress goes to stderr. Exit codes: 0 all points ran, 1 some point failed, 2 bad study "
        "or flags.");
    return {sub, [o] { return sweep_command(*o); }};
}

}  // namespace nsim::cli
