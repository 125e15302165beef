// `nsim sweep STUDY.json --out DIR`: every point of a study (models x instances x modes x batches x
// override sets), each simulated in its own process, here (--executor local) or as the tasks of a
// Slurm array job (--executor slurm), as results.csv, results.json and figures.
#include <filesystem>
#include <memory>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/number_arg.h"
#include "cli/study_output.h"
#include "isa/error.h"
#include "runtime/host_command.h"
#include "runtime/slurm_executor.h"
#include "runtime/study.h"
#include "runtime/study_executor.h"

namespace nsim::cli {

namespace {

namespace fs = std::filesystem;

struct SweepOptions {
    std::string study;
    std::string out;
    std::string gather;
    std::string executor = "local";
    unsigned jobs = 0;
    bool figures = true;
    bool submit = true;
    runtime::SlurmOptions slurm;
};

// The flags only the Slurm executor takes.
const std::vector<std::string> kSlurmFlags = {"--chunk",      "--partition",     "--time",
                                              "--mem",        "--cpus-per-task", "--account",
                                              "--sbatch-arg", "--no-submit"};

std::string describe_point(const runtime::StudyPoint& p) {
    return fmt::format("{} {} {} batch {}{}", p.request.model, p.request.instance,
                       runtime::mode_label(p.request), p.request.batch,
                       p.override == "default" ? "" : " [" + p.override + "]");
}

// Checks the combination of flags CLI11 cannot express.
void check_flags(const CLI::App& app, const SweepOptions& o) {
    if (!o.gather.empty()) {
        std::vector<std::string> running_flags = {"STUDY", "--out", "--executor", "--jobs"};
        running_flags.insert(running_flags.end(), kSlurmFlags.begin(), kSlurmFlags.end());
        for (const std::string& flag : running_flags)
            if (app.count(flag) > 0)
                throw UsageError(
                    fmt::format("{}: --gather DIR takes no study or executor: it "
                                "gathers what is in DIR into DIR",
                                flag));
        return;
    }
    if (o.study.empty()) throw UsageError("expected a STUDY file (or --gather DIR)");
    if (o.out.empty()) throw UsageError("--out: expected the directory for the results");
    if (o.executor == "slurm") {
        if (app.count("--jobs") > 0)
            throw UsageError("--jobs: the Slurm executor runs as many points as the cluster gives");
        return;
    }
    for (const std::string& flag : kSlurmFlags)
        if (app.count(flag) > 0)
            throw UsageError(fmt::format("{}: only --executor slurm takes it", flag));
}

// Writes the tables and figures of a finished sweep; the command's exit code.
int write_outputs(const std::string& dir, const runtime::Study& study,
                  const std::vector<runtime::PointResult>& results, bool figures) {
    size_t failed = 0;
    for (const auto& r : results) failed += !r.result;
    write_text_file(dir + "/results.json", results_json(study, results));
    write_text_file(dir + "/results.csv", results_csv(results));
    fmt::print("wrote {0}/results.csv and {0}/results.json\n", dir);
    if (figures && failed < study.points.size()) draw_figures(dir, study.name);
    if (failed > 0) {
        fmt::print(stderr, "nsim sweep: {} of {} points failed (see results.json)\n", failed,
                   study.points.size());
        return kExitKernelError;
    }
    return kExitOk;
}

runtime::PointDone print_point(size_t points) {
    return [points](const runtime::PointResult& r, size_t finished) {
        fmt::print(stderr, "[{}/{}] {}: {}\n", finished, points, describe_point(*r.point),
                   point_progress(r));
    };
}

runtime::SlurmExecutor slurm_executor(const SweepOptions& o, const std::string& dir) {
    std::error_code ec;
    const fs::path nsim = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        throw UsageError("cannot find this nsim's own path (/proc/self/exe) for the job script");
    runtime::SlurmJob job{"nsim-sweep", nsim.string(), fs::current_path().string(), dir,
                          {},           o.slurm};
    return runtime::SlurmExecutor(runtime::SweepDir(dir), job, [](const runtime::SlurmProgress& p) {
        fmt::print(stderr,
                   "nsim sweep: Slurm job {} ({} of {} points): {} "
                   "tasks pending, {} running; {} of {} points "
                   "have a result\n",
                   p.job, p.submitted, p.points, p.pending, p.running, p.results, p.points);
    });
}

int slurm_sweep(const SweepOptions& o, const runtime::Study& study, const std::string& dir) {
    runtime::SlurmExecutor executor = slurm_executor(o, dir);
    if (!o.submit) {
        const runtime::PreparedJob job = executor.prepare(study);
        if (job.tasks == 0) {
            fmt::print(
                "every point of {} has a result: nothing to submit; gather with\n  nsim "
                "sweep --gather {}\n",
                dir, runtime::shell_quote(dir));
            return kExitOk;
        }
        fmt::print(
            "wrote {} ({} points in {} tasks); submit it with\n  sbatch {}\nand when it "
            "ended, gather with\n  nsim sweep --gather {}\n",
            job.script, job.points, job.tasks, runtime::shell_quote(job.script),
            runtime::shell_quote(dir));
        return kExitOk;
    }
    const auto results = executor.run(study, print_point(study.points.size()));
    return write_outputs(dir, study, results, o.figures);
}

int sweep_command(const CLI::App& app, const SweepOptions& o) {
    check_flags(app, o);
    if (!o.gather.empty()) {
        const std::string dir = fs::absolute(o.gather).lexically_normal().string();
        const runtime::SweepDir sweep(dir);
        const runtime::Study study = sweep.read_points();
        return write_outputs(dir, study, sweep.gather(study), o.figures);
    }
    const runtime::Study study = runtime::load_study(o.study);
    for (const auto& s : study.skipped) fmt::print(stderr, "nsim sweep: skipped {}\n", s);
    std::error_code ec;
    fs::create_directories(o.out, ec);
    if (ec) throw UsageError(fmt::format("--out {}: cannot create it: {}", o.out, ec.message()));
    if (!study.references.empty())
        write_text_file(o.out + "/reference.csv", reference_csv(study.references));
    if (o.executor == "slurm")
        return slurm_sweep(o, study, fs::absolute(o.out).lexically_normal().string());

    const unsigned jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    fmt::print(stderr, "nsim sweep: {} points of {}, {} at a time\n", study.points.size(),
               study.name, jobs);
    runtime::LocalExecutor executor(jobs);
    const auto results = executor.run(study, print_point(study.points.size()));
    return write_outputs(o.out, study, results, o.figures);
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
    auto o = std::make_shared<SweepOptions>();
    CLI::App* sub = app.add_subcommand(
        "sweep", "Run every point of a study file: results.csv, results.json, figures");
    sub->add_option("STUDY", o->study, "Study file (see examples/studies/)")
        ->check(CLI::ExistingFile);
    sub->add_option("--out", o->out, "Directory for results.csv, results.json and the figures");
    sub->add_option("--executor", o->executor,
                    "Where the points run: local (child processes here) or slurm (an array job)")
        ->check(CLI::IsMember({"local", "slurm"}));
    sub->add_option("--gather", o->gather,
                    "Gather the results of a Slurm sweep directory into its tables and figures");
    sub->add_option("--jobs", o->jobs, "Points simulated at once (default: the host's cores)")
        ->check(whole_number(1, 1024));
    sub->add_flag("!--no-figures", o->figures, "Write the tables only");
    auto* slurm = sub->add_option_group("Slurm", "With --executor slurm");
    slurm->add_option("--chunk", o->slurm.chunk, "Points per array task (default 1)")
        ->check(whole_number(1, 100000));
    // The options sbatch takes as text, written into the job script as given.
    const std::vector<std::tuple<const char*, std::string*, const char*>> sbatch_texts = {
        {"--partition", &o->slurm.partition, "Partition (default: the cluster's)"},
        {"--time", &o->slurm.time,
         "Time limit per task, as sbatch takes it (default: 4x the slowest point run so far per "
         "point, at least 10 minutes; 1 hour per point at first)"},
        {"--mem", &o->slurm.mem, "Memory per task, as sbatch takes it (default 2G)"},
        {"--account", &o->slurm.account, "Account to charge (default: the user's)"}};
    for (const auto& [flag, value, help] : sbatch_texts) slurm->add_option(flag, *value, help);
    slurm->add_option("--cpus-per-task", o->slurm.cpus_per_task, "CPUs per task (default 1)")
        ->check(whole_number(1, 1024));
    slurm
        ->add_option("--sbatch-arg", o->slurm.sbatch_args,
                     "One more sbatch option for the job script, e.g. --sbatch-arg=--qos=low "
                     "(repeatable)")
        ->allow_extra_args(false);
    slurm->add_flag("!--no-submit", o->submit,
                    "Write the points and the job script and print the sbatch command");
    sub->footer(
        "Progress goes to stderr. Exit codes: 0 all points ran, 1 some point failed, 2 bad study "
        "or flags. With --executor slurm, DIR keeps the points, their results and the job "
        "script; the same command again submits only the points without a result.");
    return {sub, [o, sub] { return sweep_command(*sub, *o); }};
}

}  // namespace nsim::cli
