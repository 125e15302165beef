#include "sim/chip_config.h"

#include <fmt/format.h>

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "sim/config_error.h"
#include "sim/config_files.h"

namespace nsim::sim {

namespace {

using json = nlohmann::json;
using ParamRef = std::variant<double*, uint32_t*, uint64_t*, bool*>;
enum class Range : uint8_t { positive, non_negative, flag };

// One configurable value: its path in the JSON, the values it may take, and where it lives. The
// same table drives loading, the rejection of unknown keys, `--set` and `nsim describe`.
struct ParamDef {
    const char* path;
    Range range;
    ParamRef (*ref)(ChipConfig&);
};

#define NSIM_PARAM(path, range, member) \
    ParamDef { path, range, [](ChipConfig& c) -> ParamRef { return &c.member; } }

const std::vector<ParamDef>& params() {
    static const std::vector<ParamDef> table = {
        NSIM_PARAM("cores", Range::positive, cores),
        NSIM_PARAM("limits.partitions", Range::positive, limits.partitions),
        NSIM_PARAM("limits.sbuf_partition_bytes", Range::positive, limits.sbuf_partition_bytes),
        NSIM_PARAM("limits.psum_partition_bytes", Range::positive, limits.psum_partition_bytes),
        NSIM_PARAM("limits.psum_banks", Range::positive, limits.psum_banks),
        NSIM_PARAM("limits.semaphores", Range::positive, limits.semaphores),
        NSIM_PARAM("limits.dma_queues", Range::positive, limits.dma_queues),
        NSIM_PARAM("limits.has_gpsimd", Range::flag, limits.has_gpsimd),
        NSIM_PARAM("timing.tensor_clock_ghz", Range::positive, timing.tensor_clock_ghz),
        NSIM_PARAM("timing.vector_clock_ghz", Range::positive, timing.vector_clock_ghz),
        NSIM_PARAM("timing.scalar_clock_ghz", Range::positive, timing.scalar_clock_ghz),
        NSIM_PARAM("timing.gpsimd_clock_ghz", Range::positive, timing.gpsimd_clock_ghz),
        NSIM_PARAM("timing.min_ii_cycles", Range::non_negative, timing.min_ii_cycles),
        NSIM_PARAM("timing.gpsimd_start_cycles", Range::non_negative, timing.gpsimd_start_cycles),
        NSIM_PARAM("timing.matmul_min_cycles", Range::non_negative, timing.matmul_min_cycles),
        NSIM_PARAM("timing.fp32_matmul_factor", Range::positive, timing.fp32_matmul_factor),
        NSIM_PARAM("timing.load_stationary_speedup", Range::positive, timing.load_stationary_speedup),
        NSIM_PARAM("timing.read_accumulator_cycles", Range::non_negative, timing.read_accumulator_cycles),
        NSIM_PARAM("timing.reciprocal_factor", Range::positive, timing.reciprocal_factor),
        NSIM_PARAM("timing.access_overhead_cycles", Range::non_negative, timing.access_overhead_cycles),
        NSIM_PARAM("timing.vector_dependent_overhead_cycles", Range::non_negative, timing.vector_dependent_overhead_cycles),
        NSIM_PARAM("timing.strided_access_factor", Range::positive, timing.strided_access_factor),
        NSIM_PARAM("timing.strided_access_limit_bytes", Range::positive, timing.strided_access_limit_bytes),
        NSIM_PARAM("timing.vector_perf_mode_factor", Range::positive, timing.vector_perf_mode_factor),
        NSIM_PARAM("timing.shared_sbuf_psum_ports", Range::flag, timing.shared_sbuf_psum_ports),
        NSIM_PARAM("dma.engines_per_core", Range::positive, dma.engines_per_core),
        NSIM_PARAM("dma.engine_bandwidth_gbps", Range::positive, dma.engine_bandwidth_gbps),
        NSIM_PARAM("dma.start_latency_ns", Range::non_negative, dma.start_latency_ns),
        NSIM_PARAM("dma.descriptor_bytes", Range::positive, dma.descriptor_bytes),
        NSIM_PARAM("device_memory.size_bytes", Range::positive, device_memory.size_bytes),
        NSIM_PARAM("device_memory.bandwidth_gbps", Range::positive, device_memory.bandwidth_gbps),
    };
    return table;
}
#undef NSIM_PARAM

const ParamDef* find_param(const std::string& path) {
    for (const auto& p : params())
        if (path == p.path) return &p;
    return nullptr;
}

std::string json_pointer(const std::string& path) {
    std::string out = "/" + path;
    for (auto& c : out)
        if (c == '.') c = '/';
    return out;
}

// Stores `value` into the parameter, or explains why it cannot be stored.
std::optional<std::string> assign(const ParamDef& def, ChipConfig& chip, const json& value) {
    const ParamRef ref = def.ref(chip);
    if (std::holds_alternative<bool*>(ref)) {
        if (!value.is_boolean()) return "expected true or false";
        *std::get<bool*>(ref) = value.get<bool>();
        return std::nullopt;
    }
    if (!value.is_number()) return "expected a number";
    const double v = value.get<double>();
    if (def.range == Range::positive && !(v > 0)) return fmt::format("found {}, expected a positive number", value.dump());
    if (!(v >= 0)) return fmt::format("found {}, expected a number >= 0", value.dump());
    if (auto* d = std::get_if<double*>(&ref)) {
        **d = v;
        return std::nullopt;
    }
    if (!value.is_number_integer()) return fmt::format("found {}, expected a whole number", value.dump());
    if (auto* u = std::get_if<uint32_t*>(&ref)) {
        if (v > double(std::numeric_limits<uint32_t>::max())) return fmt::format("found {}, expected at most 2^32-1", value.dump());
        **u = value.get<uint32_t>();
    } else {
        **std::get_if<uint64_t*>(&ref) = value.get<uint64_t>();
    }
    return std::nullopt;
}

json read_json(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw ConfigError(file + ": cannot read the file");
    try {
        return json::parse(in);
    } catch (const json::parse_error& e) {
        throw ConfigError(fmt::format("{}: not valid JSON: {}", file, e.what()));
    }
}

[[noreturn]] void fail(const std::string& file, const std::string& pointer, const std::string& what) {
    throw ConfigError(fmt::format("{}: {}: {}", file, pointer.empty() ? "/" : pointer, what));
}

std::string group_keys(const std::string& group) {
    std::string keys;
    for (const auto& p : params()) {
        std::string path = p.path;
        if (group.empty() ? path.find('.') == std::string::npos : path.rfind(group + ".", 0) == 0) {
            keys += (keys.empty() ? "" : ", ") + (group.empty() ? path : path.substr(group.size() + 1));
        }
    }
    return keys;
}

// A leaf: {"value": V, "source": "..."} or {"value": V, "assumption": "why"}.
void load_leaf(ChipConfig& chip, const ParamDef& def, const json& leaf, const std::string& file) {
    const std::string ptr = json_pointer(def.path);
    if (!leaf.is_object() || !leaf.contains("value"))
        fail(file, ptr, "expected an object {\"value\": ..., \"source\": \"...\"} (or \"assumption\" instead of \"source\")");
    ParamSource src;
    for (const auto& [key, v] : leaf.items()) {
        if (key == "value") continue;
        if ((key == "source" || key == "assumption") && v.is_string() && !v.get<std::string>().empty()) {
            if (!src.text.empty()) fail(file, ptr, "give either \"source\" or \"assumption\", not both");
            src = {v.get<std::string>(), key == "assumption"};
        } else {
            fail(file, ptr + "/" + key, "unexpected key, expected \"value\" with \"source\" or \"assumption\" (a non-empty string)");
        }
    }
    if (src.text.empty()) fail(file, ptr, "missing \"source\" (or \"assumption\" with its reasoning)");
    if (auto err = assign(def, chip, leaf["value"])) fail(file, ptr + "/value", *err);
    chip.sources[def.path] = src;
}

ChipConfig load_chip_file(const std::string& file, int depth) {
    if (depth > 8) throw ConfigError(file + ": \"base\" chains more than 8 files deep (a cycle?)");
    const json doc = read_json(file);
    if (!doc.is_object()) fail(file, "", "expected a JSON object");
    ChipConfig chip;
    if (doc.contains("base")) {
        if (!doc["base"].is_string()) fail(file, "/base", "expected the name or path of a chip");
        chip = load_chip_file(resolve_config(doc["base"].get<std::string>(), "chips"), depth + 1);
    }
    chip.file = file;
    for (const auto& [key, value] : doc.items()) {
        if (key == "base" || key == "description") continue;
        if (key == "name" || key == "generation") {
            if (!value.is_string()) fail(file, "/" + key, "expected a string");
            if (key == "name") {
                chip.name = value.get<std::string>();
            } else if (auto g = isa::parse_generation(value.get<std::string>())) {
                chip.generation = *g;
            } else {
                fail(file, "/generation", "found \"" + value.get<std::string>() + "\", expected v1, v2 or v3");
            }
            continue;
        }
        if (const auto* def = find_param(key)) {
            load_leaf(chip, *def, value, file);
            continue;
        }
        const std::string keys = group_keys(key);
        if (keys.empty() || !value.is_object())
            fail(file, "/" + key, "unknown key, expected one of: name, generation, description, base, " + group_keys(""));
        for (const auto& [sub, leaf] : value.items()) {
            const auto* def = find_param(key + "." + sub);
            if (!def) fail(file, "/" + key + "/" + sub, "unknown key, expected one of: " + keys);
            load_leaf(chip, *def, leaf, file);
        }
    }
    if (chip.name.empty()) fail(file, "/name", "missing the chip's name");
    for (const auto& p : params())
        if (!chip.sources.count(p.path)) fail(file, json_pointer(p.path), "missing value (give it, or name a \"base\" chip)");
    return chip;
}

std::string value_text(const ParamRef& ref) {
    return std::visit([](auto* p) { return fmt::format("{}", *p); }, ref);
}

}  // namespace

ChipConfig load_chip(const std::string& name_or_path) {
    return load_chip_file(resolve_config(name_or_path, "chips"), 0);
}

void apply_override(ChipConfig& chip, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw ConfigError("--set " + assignment + ": expected PATH=VALUE, e.g. timing.tensor_clock_ghz=3.0");
    const std::string path = assignment.substr(0, eq);
    const auto* def = find_param(path);
    if (!def) throw ConfigError("--set " + assignment + ": unknown parameter '" + path + "', expected one of: " + [] {
        std::string all;
        for (const auto& p : params()) all += (all.empty() ? "" : ", ") + std::string(p.path);
        return all;
    }());
    json value;
    try {
        value = json::parse(assignment.substr(eq + 1));
    } catch (const json::parse_error&) {
        throw ConfigError("--set " + assignment + ": the value is not a number or true/false");
    }
    if (auto err = assign(*def, chip, value)) throw ConfigError("--set " + assignment + ": " + *err);
    chip.sources[path] = {"--set on the command line", false};
}

std::vector<DescribedParam> describe(const ChipConfig& chip) {
    std::vector<DescribedParam> out;
    ChipConfig copy = chip;  // ParamDef::ref takes a mutable config
    for (const auto& p : params()) {
        auto it = chip.sources.find(p.path);
        out.push_back({p.path, value_text(p.ref(copy)), it == chip.sources.end() ? ParamSource{} : it->second});
    }
    return out;
}

}  // namespace nsim::sim
