#include "compiler/model_spec.h"

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "isa/input_limits.h"

namespace nsim::compiler {

namespace {

using Json = nlohmann::json;

// Reads the typed fields of the model object, remembering which keys it consumed so that the
// rest can be reported as unknown.
class Reader {
public:
    Reader(const Json& j, std::string file) : m_j(j), m_file(std::move(file)) {}

    // A value as the message quotes it: a long one is cut.
    static std::string shown(const Json& v) { return abbreviate(v.dump()); }

    [[noreturn]] void fail(const std::string& key, const std::string& expectation) const {
        throw ModelError(m_file + ": $." + key + ": " + expectation);
    }

    const Json* find(const std::string& key, bool required) {
        m_known.insert(key);
        const auto it = m_j.find(key);
        if (it == m_j.end()) {
            if (required) fail(key, "missing, expected it to be given");
            return nullptr;
        }
        return &*it;
    }

    void positive(const std::string& key, uint32_t& out, bool required = true,
                  bool allow_zero = false) {
        const Json* v = find(key, required);
        if (!v) return;
        const std::string want = allow_zero ? "a non-negative integer" : "a positive integer";
        // 1e12 is a whole number too, written as a float: say what is wrong with it.
        const bool whole =
            v->is_number_integer() ||
            (v->is_number_float() && std::trunc(v->get<double>()) == v->get<double>());
        if (!whole || v->get<double>() < (allow_zero ? 0 : 1))
            fail(key, "found " + shown(*v) + ", expected " + want);
        if (!v->is_number_integer() || v->get<double>() > double(UINT32_MAX))
            fail(key, "found " + shown(*v) + ", expected " + want + " written as one, at most " +
                          std::to_string(UINT32_MAX));
        out = v->get<uint32_t>();
    }

    void string(const std::string& key, std::string& out, bool required) {
        const Json* v = find(key, required);
        if (!v) return;
        if (!v->is_string()) fail(key, "found " + shown(*v) + ", expected a string");
        out = v->get<std::string>();
    }

    void boolean(const std::string& key, bool& out) {
        const Json* v = find(key, false);
        if (!v) return;
        if (!v->is_boolean()) fail(key, "found " + shown(*v) + ", expected true or false");
        out = v->get<bool>();
    }

    void positive_float(const std::string& key, float& out) {
        const Json* v = find(key, false);
        if (!v) return;
        if (!v->is_number() || v->get<double>() <= 0)
            fail(key, "found " + shown(*v) + ", expected a positive number");
        out = v->get<float>();
    }

    // Keys documenting the model (sources, notes): any JSON value, not interpreted.
    void documentation(const std::string& key) { m_known.insert(key); }

    void reject_unknown() const {
        for (const auto& item : m_j.items())
            if (!m_known.count(item.key())) {
                std::string keys;
                for (const auto& k : m_known) keys += (keys.empty() ? "" : ", ") + k;
                fail(item.key(), "unknown key, expected one of: " + keys);
            }
    }

private:
    const Json& m_j;
    std::string m_file;
    std::set<std::string> m_known;
};

}  // namespace

ModelSpec parse_model(const std::string& json_text, const std::string& file) {
    if (auto problem = json_shape_problem(json_text)) throw ModelError(file + ":" + *problem);
    Json j;
    try {
        j = Json::parse(json_text);
    } catch (const Json::exception& e) {  // a syntax error, or a number past a double (1e999)
        throw ModelError(file + ": invalid JSON: " + e.what());
    }
    if (!j.is_object()) throw ModelError(file + ": $: expected a JSON object describing a model");
    Reader r(j, file);
    ModelSpec m;
    r.string("name", m.name, true);
    r.documentation("source");
    r.documentation("description");
    r.positive("layers", m.layers);
    r.positive("hidden_size", m.hidden);
    r.positive("attention_heads", m.heads);
    r.positive("intermediate_size", m.intermediate);
    r.positive("vocab_size", m.vocab);
    r.positive("max_position_embeddings", m.max_positions);
    r.positive("type_vocab_size", m.type_vocab, true, true);
    r.positive("sequence_length", m.sequence_length);
    r.positive_float("layer_norm_eps", m.layer_norm_eps);
    r.boolean("pooler", m.pooler);
    r.positive("num_labels", m.num_labels, false, true);
    std::string dtype = "bf16";
    r.string("matmul_dtype", dtype, false);
    const auto parsed = isa::parse_dtype(dtype);
    if (!parsed || (*parsed != isa::DType::bfloat16 && *parsed != isa::DType::float16 &&
                    *parsed != isa::DType::float32))
        r.fail("matmul_dtype", "found \"" + dtype + "\", expected bf16, fp16 or f32");
    m.matmul_dtype = *parsed;
    r.reject_unknown();

    if (m.hidden % m.heads != 0)
        r.fail("attention_heads", "found " + std::to_string(m.heads) +
                                      ", expected a divisor of hidden_size " +
                                      std::to_string(m.hidden));
    if (m.sequence_length > m.max_positions)
        r.fail("sequence_length", "found " + std::to_string(m.sequence_length) +
                                      ", expected at most max_position_embeddings " +
                                      std::to_string(m.max_positions));
    if (m.num_labels > 0 && !m.pooler)
        r.fail("num_labels",
               "found " + std::to_string(m.num_labels) + ", expected 0 for a model without pooler");
    return m;
}

ModelSpec load_model(const std::string& path) {
    return parse_model(read_bounded_file(path, kMaxJsonFileBytes, ErrorKind::input), path);
}

}  // namespace nsim::compiler
