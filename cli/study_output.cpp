#include "cli/study_output.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/host_command.h"
#include "runtime/model_run_json.h"

namespace nsim::cli {

namespace {

using nlohmann::json;

// The report values a CSV row carries, by JSON pointer into the point's report, under their
// column names.
const std::vector<std::pair<std::string, std::string>> kReportColumns = {
    {"throughput_per_s", "/throughput_per_s"},
    {"latency_ms_p50", "/latency_ms/p50"},
    {"latency_ms_p90", "/latency_ms/p90"},
    {"latency_ms_p99", "/latency_ms/p99"},
    {"latency_ms_mean", "/latency_ms/mean"},
    {"cost_per_hour_usd", "/cost_per_hour_usd"},
    {"cost_per_1m_usd", "/cost_per_1m_usd"},
    {"cores_used", "/cores_used"},
    {"models", "/models"},
    {"workers_per_model", "/workers_per_model"},
    {"stage_ms_max", "/stage_ms_max"},
    {"host_cpu_busy", "/host/busy"},
    {"simulated_ns", "/simulated_ns"},
    {"host_seconds", "/host_seconds"},
};

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string quoted = "\"";
    for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string csv_value(const json& v) {
    if (v.is_number_float()) return fmt::format("{:.6g}", v.get<double>());
    if (v.is_string()) return csv_field(v.get<std::string>());
    return v.dump();
}

// The directories plot_study.py is looked for in: the source tree, then the installed share/nsim.
std::string plot_script() {
    for (const std::string& dir : {std::string(NSIM_SOURCE_DIR) + "/scripts",
                                   std::string(NSIM_INSTALL_DATA_DIR) + "/scripts"}) {
        const std::string path = dir + "/plot_study.py";
        std::error_code ec;
        if (std::filesystem::is_regular_file(path, ec)) return path;
    }
    throw std::runtime_error(
        "cannot find scripts/plot_study.py (source tree or installed share/nsim/scripts)");
}

}  // namespace

std::string point_progress(const runtime::PointResult& r) {
    if (!r.result) return "FAILED: " + r.error;
    return fmt::format("{:.1f} inferences/s, p50 {:.2f} ms, ${:.3f} per 1M ({:.1f} s)",
                       r.result->throughput_per_s, r.result->latency_ms.p50,
                       r.result->cost_per_1m_usd, r.result->host_seconds);
}

std::string results_json(const runtime::Study& study,
                         const std::vector<runtime::PointResult>& results) {
    json out = {{"study", study.name},
                {"file", study.file},
                {"skipped", study.skipped},
                {"points", json::array()}};
    for (const auto& r : results) {
        const runtime::ModelRequest& q = r.point->request;
        json p = {{"model", q.model},
                  {"instance", q.instance},
                  {"mode", runtime::mode_label(q)},
                  {"parallel", std::string(runtime::parallelism_name(q.parallel))},
                  {"batch", q.batch},
                  {"override", r.point->override},
                  {"ok", r.result.has_value()}};
        if (r.result)
            p["report"] = *r.result;
        else
            p["error"] = r.error;
        if (!r.node.empty()) {  // run elsewhere: where, and by which nsim
            p["node"] = r.node;
            p["nsim_version"] = r.nsim_version;
        }
        out["points"].push_back(p);
    }
    return out.dump(2) + "\n";
}

std::string results_csv(const std::vector<runtime::PointResult>& results) {
    std::string csv = "model,instance,mode,batch,override";
    for (const auto& [name, pointer] : kReportColumns) csv += "," + name;
    csv += ",error\n";
    for (const auto& r : results) {
        const runtime::ModelRequest& q = r.point->request;
        csv += fmt::format("{},{},{},{},{}", csv_field(q.model), csv_field(q.instance),
                           runtime::mode_label(q), q.batch, csv_field(r.point->override));
        const json report = r.result ? json(*r.result) : json::object();
        for (const auto& [name, pointer] : kReportColumns) {
            const json::json_pointer at(pointer);
            csv += "," + (report.contains(at) ? csv_value(report[at]) : std::string());
        }
        csv += "," + (r.result ? std::string() : csv_field(r.error)) + "\n";
    }
    return csv;
}

std::string reference_csv(const std::vector<runtime::ReferencePoint>& points) {
    const auto number = [](const std::optional<double>& v) {
        return v ? fmt::format("{:.6g}", *v) : std::string();
    };
    std::string csv =
        "series,instance,model,batch,latency_ms_avg,throughput_per_s,price_per_hour_usd,"
        "cost_per_1m_usd,source\n";
    for (const auto& p : points)
        csv += fmt::format(
            "{},{},{},{},{},{},{},{},{}\n", csv_field(p.series), csv_field(p.instance),
            csv_field(p.model), p.batch ? std::to_string(*p.batch) : std::string(),
            number(p.latency_ms_avg), number(p.throughput_per_s), number(p.price_per_hour_usd),
            number(p.cost_per_1m_usd), csv_field(p.source));
    return csv;
}

void draw_figures(const std::string& dir, const std::string& title) {
    // Debian's own python3 with python3-matplotlib (README): not whatever python3 is first on PATH.
    std::string command =
        fmt::format("/usr/bin/python3 {} {} {} --title {}", runtime::shell_quote(plot_script()),
                    runtime::shell_quote(dir + "/results.csv"), runtime::shell_quote(dir),
                    runtime::shell_quote(title));
    std::error_code ec;
    if (std::filesystem::is_regular_file(dir + "/reference.csv", ec))
        command += " --reference " + runtime::shell_quote(dir + "/reference.csv");
    if (std::system(command.c_str()) != 0)
        throw std::runtime_error(fmt::format("drawing the figures failed: {}", command));
}

}  // namespace nsim::cli
