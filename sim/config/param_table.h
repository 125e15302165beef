// The machinery shared by every configuration kind (chips, instances): a table of parameters bound
// to a config's fields drives loading a JSON file, rejecting unknown keys, `--set` and `describe`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nsim::sim {

// Where a configured value came from.
struct ParamSource {
    std::string text;         // the citation, or the reasoning of an assumption
    bool assumption = false;  // true when the value is not published
    // An unpublished value set to meet a published measurement (a row of the calibration set);
    // `text` names the row and the value before. Calibrated values are assumptions too.
    bool calibrated = false;
};

// A parameter path with its value as text and its source (for `nsim describe`).
struct DescribedParam {
    std::string path;
    std::string value;
    ParamSource source;
};

// What a parameter may hold. `word` is a string out of BoundParam::choices; `dims` a non-empty
// list of positive whole numbers.
enum class Range : uint8_t { positive, non_negative, flag, word, dims };

// The whole numbers a parameter may hold beyond its Range: [min, max], and optionally only powers
// of two. Checked on load and on `--set`, so an impossible value fails at the config's key.
struct Bounds {
    uint64_t min = 0;
    uint64_t max = 0;
    bool power_of_two = false;
};

using ParamRef =
    std::variant<double*, uint32_t*, uint64_t*, bool*, std::string*, std::vector<uint32_t>*>;

// One configurable value bound to the field of one config object. Each config kind builds its list
// of these on demand (the pointers go stale when the object moves), so one table serves all uses.
struct BoundParam {
    std::string path;  // dotted, e.g. "timing.tensor_clock_ghz"; a group per dot in the JSON
    Range range;
    ParamRef ref;
    std::vector<std::string> choices = {};  // the allowed words of a Range::word parameter
    bool optional = false;                  // may be absent from a complete file
    std::optional<Bounds> bounds = std::nullopt;
};
using ParamList = std::vector<BoundParam>;

// A required whole-number parameter that must lie within `bounds`.
BoundParam bounded(std::string path, uint32_t* field, Bounds bounds);
BoundParam bounded(std::string path, uint64_t* field, Bounds bounds);
using SourceMap = std::map<std::string, ParamSource>;

// A configuration file read as JSON: the caller's own string keys (name, base, ...) and the
// parameter leaves {"value": V, "source": "..."} / {"value": V, "assumption": "why"}. Every error
// is a ConfigError naming the file, the JSON path and the expectation.
class ConfigDocument {
public:
    // Reads `file`; `own_keys` are the top-level keys the caller handles, each a string.
    ConfigDocument(std::string file, std::vector<std::string> own_keys);
    ~ConfigDocument();
    ConfigDocument(const ConfigDocument&) = delete;
    ConfigDocument& operator=(const ConfigDocument&) = delete;

    const std::string& file() const { return m_file; }
    // The string value of one of the own keys, if the file gives it.
    std::optional<std::string> text(const std::string& key) const;
    // Whether the file gives the parameter at this dotted path.
    bool has(const std::string& path) const;
    // Stores every parameter leaf into `params` and records its source; rejects unknown keys.
    void load(const ParamList& params, SourceMap& sources) const;
    // Rejects a required parameter that neither the file nor a base gave; `hint` says how to fix
    // it.
    void require_all(const ParamList& params, const SourceMap& sources,
                     const std::string& hint) const;
    [[noreturn]] void fail(const std::string& json_pointer, const std::string& what) const;

private:
    struct Json;
    std::string m_file;
    std::vector<std::string> m_own_keys;
    std::unique_ptr<Json> m_doc;
};

// "a.b" -> "/a/b".
std::string json_pointer(const std::string& path);

const BoundParam* find_param(const ParamList& params, const std::string& path);

// Applies a `--set path=value` to the parameter it names, checked like a file leaf; its source
// becomes the command line. `example` is shown when the assignment is malformed; messages quote
// the assignment after `shown_prefix` (the `chip.` of an instance's chip parameter).
void apply_assignment(const ParamList& params, SourceMap& sources, const std::string& assignment,
                      const std::string& example, const std::string& shown_prefix = "");

// Every present parameter with its value as text and its source, in table order.
std::vector<DescribedParam> describe_params(const ParamList& params, const SourceMap& sources);

}  // namespace nsim::sim
