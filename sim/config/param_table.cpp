// Loading, checking, overriding and describing table-driven configuration parameters.
#include "sim/config/param_table.h"

#include <algorithm>
#include <functional>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "isa/error.h"
#include "isa/input_limits.h"

namespace nsim::sim {

namespace {

using json = nlohmann::json;

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
}

// Checks a whole number and stores it in a uint32_t (dims entries, uint32_t params).
std::optional<std::string> to_u32(const json& value, uint32_t& out) {
    if (!value.is_number_integer())
        return fmt::format("found {}, expected a whole number", abbreviate(value.dump()));
    if (value.get<double>() > double(std::numeric_limits<uint32_t>::max()))
        return fmt::format("found {}, expected at most 2^32-1", abbreviate(value.dump()));
    out = value.get<uint32_t>();
    return std::nullopt;
}

// Why a number is outside the bounds, if it is.
std::optional<std::string> outside(const Bounds& b, const json& value) {
    const std::string expected =
        fmt::format("expected {} from {} to {}",
                    b.power_of_two ? "a power of two" : "a whole number", b.min, b.max);
    if (!value.is_number_integer() || value.get<double>() < double(b.min) ||
        value.get<double>() > double(b.max))
        return fmt::format("found {}, {}", abbreviate(value.dump()), expected);
    const auto v = value.get<uint64_t>();
    if (b.power_of_two && (v & (v - 1)) != 0)
        return fmt::format("found {}, {}", value.dump(), expected);
    return std::nullopt;
}

// Stores `value` into the parameter, or explains why it cannot be stored.
std::optional<std::string> assign(const BoundParam& def, const json& value) {
    if (auto* b = std::get_if<bool*>(&def.ref)) {
        if (!value.is_boolean()) return "expected true or false";
        **b = value.get<bool>();
        return std::nullopt;
    }
    if (auto* s = std::get_if<std::string*>(&def.ref)) {
        const std::string expected = "expected one of: " + join(def.choices);
        if (!value.is_string())
            return fmt::format("found {}, {}", abbreviate(value.dump()), expected);
        const auto word = value.get<std::string>();
        if (std::find(def.choices.begin(), def.choices.end(), word) == def.choices.end())
            return fmt::format("found \"{}\", {}", word, expected);
        **s = word;
        return std::nullopt;
    }
    if (auto* d = std::get_if<std::vector<uint32_t>*>(&def.ref)) {
        const auto expected = "expected a non-empty list of positive whole numbers, e.g. [4, 4]";
        if (!value.is_array() || value.empty())
            return fmt::format("found {}, {}", abbreviate(value.dump()), expected);
        std::vector<uint32_t> dims;
        for (const auto& v : value) {
            uint32_t n = 0;
            if (!v.is_number() || !(v.get<double>() > 0) || to_u32(v, n))
                return fmt::format("found {}, {}", abbreviate(value.dump()), expected);
            dims.push_back(n);
        }
        **d = dims;
        return std::nullopt;
    }
    if (!value.is_number()) return "expected a number";
    if (def.bounds)
        if (auto err = outside(*def.bounds, value)) return err;
    const double v = value.get<double>();
    if (def.range == Range::positive && !(v > 0))
        return fmt::format("found {}, expected a positive number", abbreviate(value.dump()));
    if (!(v >= 0)) return fmt::format("found {}, expected a number >= 0", abbreviate(value.dump()));
    if (auto* dp = std::get_if<double*>(&def.ref)) {
        **dp = v;
        return std::nullopt;
    }
    if (auto* u = std::get_if<uint32_t*>(&def.ref)) return to_u32(value, **u);
    if (!value.is_number_integer())
        return fmt::format("found {}, expected a whole number", abbreviate(value.dump()));
    **std::get_if<uint64_t*>(&def.ref) = value.get<uint64_t>();
    return std::nullopt;
}

// The keys expected directly under `group` ("" = the top level): leaves and subgroups.
std::vector<std::string> group_keys(const ParamList& params, const std::string& group) {
    std::vector<std::string> keys;
    for (const auto& p : params) {
        if (!group.empty() && p.path.rfind(group + ".", 0) != 0) continue;
        std::string rest = group.empty() ? p.path : p.path.substr(group.size() + 1);
        rest = rest.substr(0, rest.find('.'));
        if (std::find(keys.begin(), keys.end(), rest) == keys.end()) keys.push_back(rest);
    }
    return keys;
}

std::string value_text(const ParamRef& ref) {
    struct Text {
        std::string operator()(const std::vector<uint32_t>* dims) const {
            std::string out;
            for (auto n : *dims) out += (out.empty() ? "" : "x") + std::to_string(n);
            return out;
        }
        std::string operator()(const std::string* s) const { return *s; }
        std::string operator()(const bool* b) const { return *b ? "true" : "false"; }
        std::string operator()(const double* d) const { return fmt::format("{}", *d); }
        std::string operator()(const uint32_t* u) const { return std::to_string(*u); }
        std::string operator()(const uint64_t* u) const { return std::to_string(*u); }
    };
    return std::visit(Text{}, ref);
}

}  // namespace

struct ConfigDocument::Json {
    json doc;
};

ConfigDocument::ConfigDocument(std::string file, std::vector<std::string> own_keys)
    : m_file(std::move(file)), m_own_keys(std::move(own_keys)), m_doc(std::make_unique<Json>()) {
    const std::string text = read_json_file(m_file, ErrorKind::config);
    try {
        m_doc->doc = json::parse(text);
    } catch (const json::exception& e) {  // a syntax error, or a number past a double (1e999)
        throw ConfigError(fmt::format("{}: not valid JSON: {}", m_file, e.what()));
    }
    if (!m_doc->doc.is_object()) fail("", "expected a JSON object");
    for (const auto& key : m_own_keys)
        if (m_doc->doc.contains(key) && !m_doc->doc[key].is_string())
            fail("/" + key, "expected a string");
}

ConfigDocument::~ConfigDocument() = default;

std::optional<std::string> ConfigDocument::text(const std::string& key) const {
    if (!m_doc->doc.contains(key)) return std::nullopt;
    return m_doc->doc[key].get<std::string>();
}

bool ConfigDocument::has(const std::string& path) const {
    return m_doc->doc.contains(json::json_pointer(json_pointer(path)));
}

void ConfigDocument::fail(const std::string& pointer, const std::string& what) const {
    throw ConfigError(fmt::format("{}: {}: {}", m_file, pointer.empty() ? "/" : pointer, what));
}

void ConfigDocument::load(const ParamList& params, SourceMap& sources) const {
    // A leaf: {"value": V, "source": "..."}, {"value": V, "assumption": "why"} or {"value": V,
    // "calibrated": "which measurement it meets, and the value before"}.
    auto load_leaf = [&](const BoundParam& def, const json& leaf) {
        const std::string ptr = json_pointer(def.path);
        if (!leaf.is_object() || !leaf.contains("value"))
            fail(ptr,
                 "expected an object {\"value\": ..., \"source\": \"...\"} (or \"assumption\" "
                 "or \"calibrated\" instead of \"source\")");
        ParamSource src;
        for (const auto& [key, v] : leaf.items()) {
            if (key == "value") continue;
            if ((key == "source" || key == "assumption" || key == "calibrated") && v.is_string() &&
                !v.get<std::string>().empty()) {
                if (!src.text.empty())
                    fail(ptr, "give one of \"source\", \"assumption\" or \"calibrated\"");
                src = {v.get<std::string>(), key != "source", key == "calibrated"};
            } else {
                fail(ptr + "/" + key,
                     "unexpected key, expected \"value\" with \"source\", \"assumption\" or "
                     "\"calibrated\" (a non-empty string)");
            }
        }
        if (src.text.empty())
            fail(ptr,
                 "missing \"source\" (or \"assumption\" with its reasoning, or \"calibrated\" "
                 "naming the measurement)");
        if (auto err = assign(def, leaf["value"])) fail(ptr + "/value", *err);
        sources[def.path] = src;
    };
    // Walks groups recursively so a parameter table may nest as deep as it likes.
    std::function<void(const json&, const std::string&)> walk = [&](const json& node,
                                                                    const std::string& group) {
        for (const auto& [key, value] : node.items()) {
            if (group.empty() &&
                std::find(m_own_keys.begin(), m_own_keys.end(), key) != m_own_keys.end())
                continue;
            const std::string path = group.empty() ? key : group + "." + key;
            if (const auto* def = find_param(params, path)) {
                load_leaf(*def, value);
                continue;
            }
            const auto sub = group_keys(params, path);
            if (!sub.empty() && value.is_object()) {
                walk(value, path);
                continue;
            }
            auto expected = group_keys(params, group);
            if (group.empty())
                expected.insert(expected.begin(), m_own_keys.begin(), m_own_keys.end());
            fail(json_pointer(path), sub.empty() ? "unknown key, expected one of: " + join(expected)
                                                 : "expected an object with: " + join(sub));
        }
    };
    walk(m_doc->doc, "");
}

void ConfigDocument::require_all(const ParamList& params, const SourceMap& sources,
                                 const std::string& hint) const {
    for (const auto& p : params)
        if (!p.optional && !sources.count(p.path))
            fail(json_pointer(p.path), "missing value (" + hint + ")");
}

namespace {

BoundParam bounded_ref(std::string path, ParamRef field, Bounds bounds) {
    BoundParam p{std::move(path), bounds.min > 0 ? Range::positive : Range::non_negative, field};
    p.bounds = bounds;
    return p;
}

}  // namespace

BoundParam bounded(std::string path, uint32_t* field, Bounds bounds) {
    return bounded_ref(std::move(path), field, bounds);
}

BoundParam bounded(std::string path, uint64_t* field, Bounds bounds) {
    return bounded_ref(std::move(path), field, bounds);
}

std::string json_pointer(const std::string& path) {
    std::string out = "/" + path;
    for (auto& c : out)
        if (c == '.') c = '/';
    return out;
}

const BoundParam* find_param(const ParamList& params, const std::string& path) {
    for (const auto& p : params)
        if (path == p.path) return &p;
    return nullptr;
}

void apply_assignment(const ParamList& params, SourceMap& sources, const std::string& assignment,
                      const std::string& example, const std::string& shown_prefix) {
    const std::string where = "--set " + shown_prefix + assignment;
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw ConfigError(where + ": expected PATH=VALUE, e.g. " + example);
    const std::string path = assignment.substr(0, eq);
    const auto* def = find_param(params, path);
    if (!def) {
        std::vector<std::string> all;
        for (const auto& p : params) all.push_back(p.path);
        throw ConfigError(where + ": unknown parameter '" + path +
                          "', expected one of: " + join(all));
    }
    const std::string text = assignment.substr(eq + 1);
    json value;
    try {
        value = json::parse(text);
    } catch (const json::out_of_range&) {
        throw ConfigError(where + ": the number is too large for a double");
    } catch (const json::parse_error&) {
        // A bare word (topology=ring) is taken as a string; anything else is not a value.
        if (def->range != Range::word)
            throw ConfigError(where + ": the value is not a number, a list or true/false");
        value = text;
    }
    if (auto err = assign(*def, value)) throw ConfigError(where + ": " + *err);
    sources[path] = {"--set on the command line", false};
}

std::vector<DescribedParam> describe_params(const ParamList& params, const SourceMap& sources) {
    std::vector<DescribedParam> out;
    for (const auto& p : params) {
        auto it = sources.find(p.path);
        if (p.optional && it == sources.end()) continue;
        out.push_back(
            {p.path, value_text(p.ref), it == sources.end() ? ParamSource{} : it->second});
    }
    return out;
}

}  // namespace nsim::sim
