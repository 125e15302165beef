// Published measurements of other accelerators (the GPU rows in examples/studies/) that a study
// draws beside its simulated results, labelled as published: nsim does not simulate them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace nsim::runtime {

// One published row. Throughput and cost per 1M inferences are derived when the source does not
// give them: batch x 1000 / average latency, and price per hour x 1e6 / (3600 x throughput).
struct ReferencePoint {
    std::string id;      // the row's tag in the reference notes (G1, G2, ...)
    std::string series;  // the label of its line in the figures
    std::string instance;
    std::string model;
    unsigned sequence_length = 0;
    std::optional<unsigned> batch;  // none: the source does not state it (drawn as a level)
    std::optional<double> latency_ms_avg, latency_ms_p95, latency_ms_p99;
    std::optional<double> throughput_per_s;
    std::optional<double> cost_per_1m_usd;
    double price_per_hour_usd = 0;
    std::string source;
    std::string conditions;
};

// Reads and checks a reference file and derives the missing throughput and cost. Throws
// nsim::ConfigError naming the file, the JSON path and the expectation (an unknown key, a missing
// source, a row with neither a latency, a throughput nor a cost).
std::vector<ReferencePoint> load_reference_points(const std::string& path);

// The rows of `points` for a study of `model` compiled for `sequence_length` tokens.
std::vector<ReferencePoint> reference_points_for(const std::vector<ReferencePoint>& points,
                                                 const std::string& model,
                                                 unsigned sequence_length);

}  // namespace nsim::runtime
