#include "runtime/slurm_queue.h"

#include <sstream>

#include <fmt/format.h>

#include "isa/error.h"
#include "runtime/host_command.h"

namespace nsim::runtime {

namespace {

bool all_digits(const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
    return s;
}

// The value of KEY=VALUE among the space-separated fields of an `scontrol -o` line.
std::string field(const std::string& line, const std::string& key) {
    std::istringstream words(line);
    std::string word;
    while (words >> word)
        if (word.rfind(key + "=", 0) == 0) return word.substr(key.size() + 1);
    return {};
}

}  // namespace

std::string submit_job(const std::string& script) {
    const CommandOutput out = run_host_command({"sbatch", "--parsable", script});
    // --parsable prints "JOBID" or "JOBID;CLUSTER".
    const std::string id = trimmed(out.output).substr(0, trimmed(out.output).find(';'));
    if (out.status != 0 || !all_digits(id))
        throw UsageError(
            fmt::format("sbatch {} did not submit the job: {}", script, trimmed(out.output)));
    return id;
}

bool test_job(const std::string& script, std::string& why) {
    const CommandOutput out = run_host_command({"sbatch", "--test-only", script});
    why = trimmed(out.output);
    return out.status == 0;
}

std::optional<JobActivity> job_activity(const std::string& job) {
    const CommandOutput out = run_host_command({"squeue", "-h", "-r", "-j", job, "-o", "%T"});
    if (out.status == 0) return parse_squeue_states(out.output);
    if (out.output.find("Invalid job id") != std::string::npos) return JobActivity{};
    return std::nullopt;
}

std::map<size_t, TaskEnd> ended_tasks(const std::string& job) {
    const CommandOutput sacct =
        run_host_command({"sacct", "-n", "-P", "-X", "-j", job, "-o", "JobID,State,ExitCode"});
    if (sacct.status == 0) {
        auto ends = parse_sacct(sacct.output, job);
        if (!ends.empty()) return ends;
    }
    // No accounting (sacct: "Slurm accounting storage is disabled"): the controller still holds
    // ended jobs for MinJobAge seconds.
    const CommandOutput scontrol = run_host_command({"scontrol", "-o", "show", "job", job});
    if (scontrol.status != 0) return {};
    return parse_scontrol_jobs(scontrol.output);
}

JobActivity parse_squeue_states(const std::string& text) {
    JobActivity activity;
    std::istringstream lines(text);
    std::string state;
    while (lines >> state) {
        if (state == "PENDING")
            ++activity.pending;
        else
            ++activity.running;
    }
    return activity;
}

std::map<size_t, TaskEnd> parse_sacct(const std::string& text, const std::string& job) {
    std::map<size_t, TaskEnd> ends;
    std::istringstream lines(text);
    std::string line;
    const std::string prefix = job + "_";
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string id, state, exit_code;
        std::getline(fields, id, '|');
        std::getline(fields, state, '|');
        std::getline(fields, exit_code, '|');
        if (id.rfind(prefix, 0) != 0 || !all_digits(id.substr(prefix.size()))) continue;
        // "CANCELLED by 0": the state's first word.
        ends[std::stoul(id.substr(prefix.size()))] = {state.substr(0, state.find(' ')),
                                                      trimmed(exit_code)};
    }
    return ends;
}

std::map<size_t, TaskEnd> parse_scontrol_jobs(const std::string& text) {
    std::map<size_t, TaskEnd> ends;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        const std::string task = field(line, "ArrayTaskId");
        if (!all_digits(task)) continue;  // "4-6": tasks not started yet
        ends[std::stoul(task)] = {field(line, "JobState"), field(line, "ExitCode")};
    }
    return ends;
}

}  // namespace nsim::runtime
