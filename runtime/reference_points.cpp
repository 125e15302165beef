#include "runtime/reference_points.h"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "isa/error.h"
#include "isa/input_limits.h"

namespace nsim::runtime {

namespace {

using nlohmann::json;

const std::set<std::string> kRowKeys = {"id",
                                        "series",
                                        "instance",
                                        "accelerator",
                                        "model",
                                        "measured_model",
                                        "sequence_length",
                                        "batch",
                                        "latency_ms_avg",
                                        "latency_ms_p95",
                                        "latency_ms_p99",
                                        "throughput_per_s",
                                        "cost_per_1m_usd",
                                        "price_per_hour_usd",
                                        "source",
                                        "conditions"};

struct RowReader {
    std::string file;
    std::string where;
    const json& row;

    [[noreturn]] void fail(const std::string& key, const std::string& what) const {
        throw nsim::ConfigError(fmt::format("{}: {}/{}: {}", file, where, key, what));
    }
    std::string text(const std::string& key) const {
        if (!row.contains(key) || !row[key].is_string() || row[key].get<std::string>().empty())
            fail(key, "expected a non-empty string");
        return row[key];
    }
    std::optional<double> positive(const std::string& key) const {
        if (!row.contains(key)) return std::nullopt;
        if (!row[key].is_number() || !(row[key].get<double>() > 0) || row[key].get<double>() > 1e9)
            fail(key, "expected a positive number");
        return row[key].get<double>();
    }
    unsigned whole(const std::string& key) const {
        if (!row.contains(key) || !row[key].is_number_integer() || row[key].get<int64_t>() < 1 ||
            row[key].get<int64_t>() > 1'000'000)
            fail(key, "expected a whole number from 1 to 1000000");
        return unsigned(row[key].get<int64_t>());
    }
};

ReferencePoint read_row(const std::string& file, size_t index, const json& row) {
    const std::string where = fmt::format("/rows/{}", index);
    if (!row.is_object())
        throw nsim::ConfigError(fmt::format("{}: {}: expected an object", file, where));
    const RowReader r{file, where, row};
    for (const auto& [key, value] : row.items())
        if (!kRowKeys.count(key))
            r.fail(key, fmt::format("unknown key: expected one of {}", fmt::join(kRowKeys, ", ")));
    ReferencePoint p;
    p.id = r.text("id");
    p.series = r.text("series");
    p.instance = r.text("instance");
    p.model = r.text("model");
    p.source = r.text("source");
    p.conditions = r.text("conditions");
    p.sequence_length = r.whole("sequence_length");
    if (row.contains("batch")) p.batch = r.whole("batch");
    p.latency_ms_avg = r.positive("latency_ms_avg");
    p.latency_ms_p95 = r.positive("latency_ms_p95");
    p.latency_ms_p99 = r.positive("latency_ms_p99");
    p.throughput_per_s = r.positive("throughput_per_s");
    p.cost_per_1m_usd = r.positive("cost_per_1m_usd");
    const std::optional<double> price = r.positive("price_per_hour_usd");
    if (!price) r.fail("price_per_hour_usd", "missing: expected the instance's price per hour");
    p.price_per_hour_usd = *price;
    if (!p.latency_ms_avg && !p.latency_ms_p95 && !p.latency_ms_p99 && !p.throughput_per_s &&
        !p.cost_per_1m_usd)
        r.fail("",
               "expected at least one of latency_ms_avg, latency_ms_p95, latency_ms_p99, "
               "throughput_per_s, cost_per_1m_usd");
    if (!p.throughput_per_s && p.batch && p.latency_ms_avg)
        p.throughput_per_s = *p.batch * 1000.0 / *p.latency_ms_avg;
    if (!p.throughput_per_s && p.cost_per_1m_usd)
        p.throughput_per_s = p.price_per_hour_usd * 1e6 / (3600.0 * *p.cost_per_1m_usd);
    if (!p.cost_per_1m_usd && p.throughput_per_s)
        p.cost_per_1m_usd = p.price_per_hour_usd * 1e6 / (3600.0 * *p.throughput_per_s);
    return p;
}

}  // namespace

std::vector<ReferencePoint> load_reference_points(const std::string& path) {
    const std::string text = read_json_file(path, ErrorKind::config);
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::exception& e) {
        throw nsim::ConfigError(fmt::format("{}: not valid JSON: {}", path, e.what()));
    }
    if (!doc.is_object() || !doc.contains("rows") || !doc["rows"].is_array() || doc["rows"].empty())
        throw nsim::ConfigError(
            fmt::format("{}: /rows: expected a non-empty list of published rows", path));
    for (const auto& [key, value] : doc.items())
        if (key != "rows" && key != "description")
            throw nsim::ConfigError(
                fmt::format("{}: /{}: unknown key: expected description or rows", path, key));
    std::vector<ReferencePoint> points;
    for (size_t i = 0; i < doc["rows"].size(); ++i)
        points.push_back(read_row(path, i, doc["rows"][i]));
    return points;
}

std::vector<ReferencePoint> reference_points_for(const std::vector<ReferencePoint>& points,
                                                 const std::string& model,
                                                 unsigned sequence_length) {
    std::vector<ReferencePoint> out;
    for (const auto& p : points)
        if (p.model == model && p.sequence_length == sequence_length) out.push_back(p);
    return out;
}

}  // namespace nsim::runtime
