#include "runtime/slurm_executor.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "isa/error.h"
#include "runtime/slurm_queue.h"

namespace nsim::runtime {

namespace {

// A file's text, at most its last 4 KiB (a task's stderr can be long); empty if unreadable.
std::string read_file_tail(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    const std::streamoff size = in ? std::streamoff(in.tellg()) : 0;
    in.seekg(std::max<std::streamoff>(0, size - 4096));
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The last non-empty line of a task's stderr, where its failure usually says itself.
std::string last_line(const std::string& text) {
    size_t end = text.find_last_not_of("\n\r ");
    if (end == std::string::npos) return {};
    const size_t start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace

PreparedJob SlurmExecutor::prepare(const Study& study) {
    check_sbatch_values(m_job);  // before anything is written
    m_dir.write_points(study);
    const std::string job_file = m_dir.slurm_dir() + "/job";
    const std::string earlier = read_file_tail(job_file);
    if (!earlier.empty()) {
        const auto activity = job_activity(earlier);
        if (!activity || activity->pending + activity->running > 0)
            throw UsageError(fmt::format(
                "{}: Slurm job {} of this directory may still be running its points: expected it "
                "to end first (squeue -j {}; scancel {} to stop it)",
                m_dir.path(), earlier, earlier, earlier));
    }
    std::optional<double> longest;  // host time of the slowest point run so far
    for (size_t i = 0; i < study.points.size(); ++i)
        if (const auto r = m_dir.result(study, i); r && r->result)
            longest = std::max(longest.value_or(0), r->result->host_seconds);
    m_job.points = m_dir.missing(study);
    if (m_job.options.time.empty())
        m_job.options.time = default_time_limit(m_job.options.chunk, longest);
    std::error_code ec;
    std::filesystem::create_directories(m_dir.slurm_dir() + "/logs", ec);
    PreparedJob prepared{m_dir.slurm_dir() + "/sweep.sbatch", m_job.points.size(),
                         task_count(m_job)};
    if (prepared.tasks > 0) write_file_atomically(prepared.script, slurm_script(m_job));
    return prepared;
}

std::vector<PointResult> SlurmExecutor::run(const Study& study, const PointDone& done) {
    const PreparedJob prepared = prepare(study);
    if (prepared.tasks == 0) return m_dir.gather(study);
    const std::string job = submit_job(prepared.script);
    write_file_atomically(m_dir.slurm_dir() + "/job", job);
    m_dir.write_failures({});
    follow(study, job, done);
    keep_failures(job);
    std::vector<PointResult> results = m_dir.gather(study);
    // The points the job left without a result end too, each with its reason.
    std::vector<size_t> left;
    for (size_t index : m_job.points)
        if (!m_dir.has_result(index)) left.push_back(index);
    size_t finished = study.points.size() - left.size();
    for (size_t index : left)
        if (done) done(results[index], ++finished);
    return results;
}

void SlurmExecutor::follow(const Study& study, const std::string& job, const PointDone& done) {
    std::set<size_t> waiting(m_job.points.begin(), m_job.points.end());
    size_t finished = study.points.size() - waiting.size();
    SlurmProgress last{job, waiting.size(), task_count(m_job), 0, finished, study.points.size()};
    if (m_progress) m_progress(last);
    auto answered = std::chrono::steady_clock::now();
    for (bool active = true; active;) {
        std::this_thread::sleep_for(kPollInterval);
        const auto activity = job_activity(job);
        if (activity) {
            answered = std::chrono::steady_clock::now();
            active = activity->pending + activity->running > 0;
        } else if (std::chrono::steady_clock::now() - answered > kLostContact) {
            throw UsageError(fmt::format(
                "squeue has not answered about job {} for {} s: the sweep's results so far are "
                "in {}; `nsim sweep --gather {}` collects them once the job ended",
                job, kLostContact.count(), m_dir.path(), m_dir.path()));
        }
        for (auto it = waiting.begin(); it != waiting.end();) {
            if (auto r = m_dir.result(study, *it)) {
                if (done) done(*r, ++finished);
                it = waiting.erase(it);
            } else {
                ++it;
            }
        }
        SlurmProgress now{job,
                          last.submitted,
                          activity ? activity->pending : last.pending,
                          activity ? activity->running : last.running,
                          finished,
                          study.points.size()};
        if (m_progress && (now.pending != last.pending || now.running != last.running ||
                           now.results != last.results))
            m_progress(now);
        last = now;
    }
}

void SlurmExecutor::keep_failures(const std::string& job) {
    const std::map<size_t, TaskEnd> ends = ended_tasks(job);
    const size_t chunk = std::max(1u, m_job.options.chunk);
    std::map<size_t, std::string> reasons;
    for (size_t k = 0; k < m_job.points.size(); ++k) {
        const size_t index = m_job.points[k], task = k / chunk;
        if (m_dir.has_result(index)) continue;
        const auto end = ends.find(task);
        std::string reason =
            end == ends.end()
                ? fmt::format(
                      "no result: Slurm task {}_{} left none and Slurm no longer knows "
                      "how it ended",
                      job, task)
                : fmt::format("no result: Slurm task {}_{} ended {} (exit code {})", job, task,
                              end->second.state, end->second.exit_code);
        const std::string err = fmt::format("{}/logs/{}_{}.err", m_dir.slurm_dir(), job, task);
        if (const std::string line = last_line(read_file_tail(err)); !line.empty())
            reason += fmt::format("; {}: {}", err, line);
        reasons[index] = reason;
    }
    m_dir.write_failures(reasons);
}

}  // namespace nsim::runtime
