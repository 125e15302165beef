// The kernel-file parser: header, body forms, instructions (generic over the opcode table),
// comments, and the collection of every line's error.
#include <algorithm>
#include <array>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "isa/input_limits.h"
#include "isa/kernel_operands.h"
#include "isa/kernel_text.h"
#include "isa/parallel.h"
#include "isa/pattern_cache.h"

namespace nsim::isa {

namespace {

constexpr std::string_view kTargetSyntax = "'target v1|v2|v3'";
constexpr size_t kMaxDiagnostics = 100;
// The headers have no counts for these; they list every name in messages.
constexpr int kGenerationCount = int(Generation::v3) + 1;
constexpr int kTensorRoleCount = int(TensorRole::scratch) + 1;
constexpr int kRoundingCount = int(Rounding::stochastic) + 1;

std::string engine_list(EngineSet engines) {
    std::string out;
    for (int e = 0; e < kEngineCount; ++e) {
        if (!has_engine(engines, Engine(e))) continue;
        if (!out.empty()) out += ", ";
        out += engine_name(Engine(e));
    }
    return out;
}

std::string opcode_list() {
    std::string out;
    for (int i = 0; i < kOpcodeCount; ++i) {
        if (i > 0) out += ", ";
        out += opcode_info(Opcode(i)).name;
    }
    return out;
}

// Keys every instruction accepts besides its operands; `wait` and `inc` may repeat.
constexpr std::array<std::string_view, 4> kGenericKeys = {"engine", "wait", "inc", "round"};

std::optional<Rounding> parse_rounding(std::string_view s) {
    if (s == "rne") return Rounding::nearest_even;
    if (s == "sr") return Rounding::stochastic;
    return std::nullopt;
}
std::string_view rounding_name(Rounding r) { return r == Rounding::nearest_even ? "rne" : "sr"; }

// Turns the lines of a kernel file into a Program. A bad line yields one diagnostic and parsing
// goes on with the next line, so one run reports every broken line.
class KernelParser {
public:
    Program parse(std::string_view text, const std::string& file, const ParseOptions& options);

private:
    // Where the header is: the next line expected, or the body has begun.
    enum class Stage { kernel, target, tensors, body };

    // Reads the lines of text[pos, end), the first numbered `number` + 1, until `end`, the first
    // body line when `until_body`, or the error cap; returns where it stopped. `number` follows.
    size_t read_lines(std::string_view text, size_t pos, size_t end, unsigned& number,
                      bool until_body);
    // Reads a sequential body split in chunks on threads of their own, each with a parser that
    // knows the header: every line's meaning depends only on the header and its own text (the
    // chunks begin after a line that is not a comment, which would belong to the next item).
    void read_body_in_parallel(std::string_view text, const std::vector<size_t>& bounds,
                               unsigned number);
    KernelParser body_parser() const;
    bool capped() const { return m_diagnostics.size() >= kMaxDiagnostics; }

    void item(const SourceLine& line);
    void check_header_order(const SourceLine& line);
    void kernel_line(const SourceLine& line);
    void target_line(const SourceLine& line);
    void tensor_line(const SourceLine& line);
    void stream_line(const SourceLine& line);
    void instruction_line(const SourceLine& line);
    void read_operand(ArgValue& into, ArgKind kind, std::string_view text, FieldReader& value);
    void generic_key(Instruction& inst, std::string_view key, FieldReader& value,
                     SourceLoc value_loc);
    void expect_tokens(const SourceLine& line, size_t count, std::string_view syntax) const;
    std::vector<std::string> take_comments(const SourceLine& line);
    void error(SourceLoc loc, std::string message) {
        m_diagnostics.push_back({loc, std::move(message)});
    }

    static SourceLoc loc(const SourceLine& line, const Token& t) { return {line.number, t.column}; }

    Program m_program;
    std::vector<Diagnostic> m_diagnostics;
    std::vector<std::string> m_pending_comments;  // comment lines waiting for the next item
    std::unordered_map<std::string, unsigned> m_tensor_lines;  // declared tensors, by name
    Stage m_stage = Stage::kernel;
    unsigned m_kernel_line = 0, m_target_line = 0;
    bool m_sequential_seen = false;
    std::optional<Engine> m_stream;  // the open `stream` block
    std::array<std::vector<Instruction>, kEngineCount> m_streams;
    SourceLine m_line;  // the line being read (its token array is reused)
    PatternCache m_patterns;
    // Instruction lines read without error, by their whole text: a repeat is a copy of the
    // instruction it made (in `stream`'s list, or the sequential body's), on its own line, with the
    // comments above it. Lines with a comment of their own are not kept. Cleared with m_patterns.
    struct ReadLine {
        uint32_t index;
        std::optional<Engine> stream;
    };
    TextTable<ReadLine> m_lines;
    std::vector<Instruction>& instructions_of(std::optional<Engine> stream) {
        return stream ? m_streams[size_t(*stream)] : m_program.instructions;
    }
    bool repeat_line(std::string_view text, unsigned number);
};

// An upper bound on the instructions of `text`: its lines.
size_t line_count(std::string_view text) {
    size_t lines = 1;
    for (size_t at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1))
        ++lines;
    return lines;
}

// Where the chunks of text[from, end) begin, and the end: at most `chunks` of them, each at least
// `min_bytes` long, each beginning after a line that holds an item (a comment line before it
// would belong to the item that follows).
std::vector<size_t> chunk_bounds(std::string_view text, size_t from, unsigned chunks,
                                 size_t min_bytes) {
    std::vector<size_t> bounds{from};
    const size_t size = text.size() - from;
    const size_t count = std::min<size_t>(chunks, size / std::max<size_t>(min_bytes, 1));
    for (size_t k = 1; k < count; ++k) {
        // From the line holding the k-th share of the text, the first that ends an item.
        const size_t target = from + size * k / count;
        const size_t newline = text.rfind('\n', target);
        size_t line = newline == std::string_view::npos ? 0 : newline + 1;
        size_t next = std::string_view::npos;
        while (line < text.size()) {
            const size_t end = text.find('\n', line);
            if (end == std::string_view::npos) break;
            if (!lex_line(text.substr(line, end - line), 0).tokens.empty()) {
                next = end + 1;
                break;
            }
            line = end + 1;
        }
        if (next == std::string_view::npos || next >= text.size()) break;
        if (next > bounds.back()) bounds.push_back(next);
    }
    bounds.push_back(text.size());
    return bounds;
}

Program KernelParser::parse(std::string_view text, const std::string& file,
                            const ParseOptions& options) {
    // Room for every instruction at once: a growing vector would copy them and touch twice the
    // memory.
    m_program.instructions.reserve(line_count(text));
    unsigned number = 0;
    size_t pos = read_lines(text, 0, text.size(), number, true);
    const unsigned threads =
        options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    if (!capped() && pos < text.size()) {
        const bool sequential_body = m_stage == Stage::body && !m_stream && m_sequential_seen;
        const auto bounds = sequential_body && threads > 1
                                ? chunk_bounds(text, pos, threads, options.min_chunk_bytes)
                                : std::vector<size_t>{pos, text.size()};
        if (bounds.size() > 2)
            read_body_in_parallel(text, bounds, number);
        else
            read_lines(text, pos, text.size(), number, false);
    }
    if (capped()) {
        // A binary or garbage file would otherwise make one long message per line.
        m_diagnostics.resize(kMaxDiagnostics);
        error(m_diagnostics.back().loc,
              fmt::format("too many errors, stopping after {}", kMaxDiagnostics));
        throw KernelError(file, std::move(m_diagnostics));
    }
    const SourceLoc end_of_file{number + 1, 1};
    if (m_stage == Stage::kernel)
        error(end_of_file,
              fmt::format("missing kernel and target lines: found end of file, expected "
                          "'kernel NAME' then {}",
                          kTargetSyntax));
    else if (m_stage == Stage::target)
        error(end_of_file,
              fmt::format("missing target line: found end of file, expected {}", kTargetSyntax));
    if (!m_diagnostics.empty()) throw KernelError(file, std::move(m_diagnostics));

    if (m_stream) {
        m_program.form = ProgramForm::streams;
        for (auto& stream : m_streams)
            for (auto& inst : stream) m_program.instructions.push_back(std::move(inst));
    }
    m_program.trailing_comments = std::move(m_pending_comments);
    return std::move(m_program);
}

size_t KernelParser::read_lines(std::string_view text, size_t pos, size_t end, unsigned& number,
                                bool until_body) {
    while (pos < end && !capped() && !(until_body && m_stage == Stage::body)) {
        size_t line_end = text.find('\n', pos);
        if (line_end == std::string_view::npos || line_end > end) line_end = end;
        const std::string_view text_line = text.substr(pos, line_end - pos);
        pos = line_end + 1;
        if (repeat_line(text_line, ++number)) continue;
        lex_line(text_line, number, m_line);
        const SourceLine& line = m_line;
        if (line.tokens.empty()) {
            if (line.comment) m_pending_comments.push_back(*line.comment);
            continue;
        }
        std::vector<Instruction>& into = instructions_of(m_stream);
        const size_t before = into.size();
        try {
            item(line);
        } catch (const SyntaxError& e) {
            error(e.loc, e.message);
        }
        if (into.size() > before && !line.comment && into.size() <= UINT32_MAX)
            m_lines.put(text_line, {uint32_t(before), m_stream});
    }
    return std::min(pos, end);
}

// A line read before, with the same open stream: its instruction again.
bool KernelParser::repeat_line(std::string_view text, unsigned number) {
    const ReadLine* seen = m_lines.find(text);
    if (!seen || seen->stream != m_stream) return false;
    std::vector<Instruction>& into = instructions_of(m_stream);
    Instruction inst = into[seen->index];
    inst.loc.line = number;
    inst.comments = std::move(m_pending_comments);
    m_pending_comments.clear();
    into.push_back(std::move(inst));
    return true;
}

KernelParser KernelParser::body_parser() const {
    KernelParser p;
    p.m_program.name = m_program.name;
    p.m_program.target = m_program.target;
    p.m_program.tensors = m_program.tensors;
    p.m_stage = m_stage;
    p.m_kernel_line = m_kernel_line;
    p.m_target_line = m_target_line;
    p.m_sequential_seen = m_sequential_seen;
    return p;
}

void KernelParser::read_body_in_parallel(std::string_view text, const std::vector<size_t>& bounds,
                                         unsigned number) {
    const size_t chunks = bounds.size() - 1;
    std::vector<KernelParser> parsers;  // chunk 0 is read by this parser
    std::vector<unsigned> lines_before{number};
    for (size_t k = 1; k < chunks; ++k) {
        parsers.push_back(body_parser());
        lines_before.push_back(
            lines_before.back() +
            unsigned(std::count(text.begin() + std::ptrdiff_t(bounds[k - 1]),
                                text.begin() + std::ptrdiff_t(bounds[k]), '\n')));
    }
    run_on_threads(chunks, [&](size_t k) {
        KernelParser& p = k == 0 ? *this : parsers[k - 1];
        const std::string_view chunk = text.substr(bounds[k], bounds[k + 1] - bounds[k]);
        if (k > 0) p.m_program.instructions.reserve(line_count(chunk));
        unsigned line = lines_before[k];
        p.read_lines(text, bounds[k], bounds[k + 1], line, false);
    });
    for (auto& p : parsers) {
        if (capped()) break;
        for (auto& d : p.m_diagnostics) m_diagnostics.push_back(std::move(d));
        for (auto& inst : p.m_program.instructions)
            m_program.instructions.push_back(std::move(inst));
        m_pending_comments = std::move(p.m_pending_comments);
    }
}

void KernelParser::item(const SourceLine& line) {
    check_header_order(line);
    const std::string_view word = line.tokens[0].text;
    if (word == "kernel")
        kernel_line(line);
    else if (word == "target")
        target_line(line);
    else if (word == "tensor")
        tensor_line(line);
    else if (word == "stream")
        stream_line(line);
    else
        instruction_line(line);
}

// A missing kernel or target line is reported once, at the first line that comes in its place;
// that line is then read as usual.
void KernelParser::check_header_order(const SourceLine& line) {
    const Token& word = line.tokens[0];
    const bool is_kernel = word.text == "kernel", is_target = word.text == "target";
    if (m_stage == Stage::kernel && !is_kernel) {
        if (is_target) {
            error(loc(line, word),
                  "missing kernel line: found 'target', expected 'kernel NAME' first");
            m_stage = Stage::target;
        } else {
            error(loc(line, word),
                  fmt::format("missing kernel and target lines: found '{}', expected "
                              "'kernel NAME' then {} first",
                              quote(word.text), kTargetSyntax));
            m_stage = Stage::tensors;
        }
    } else if (m_stage == Stage::target && !is_kernel && !is_target) {
        error(loc(line, word), fmt::format("missing target line: found '{}', expected {} after the "
                                           "kernel line",
                                           quote(word.text), kTargetSyntax));
        m_stage = Stage::tensors;
    }
}

void KernelParser::expect_tokens(const SourceLine& line, size_t count,
                                 std::string_view syntax) const {
    if (line.tokens.size() < count)
        throw SyntaxError{loc(line, line.tokens[0]),
                          fmt::format("found end of line, expected {}", syntax)};
    if (line.tokens.size() > count)
        throw SyntaxError{loc(line, line.tokens[count]),
                          fmt::format("found '{}', expected end of line after {}",
                                      quote(line.tokens[count].text), syntax)};
}

// Header lines found after the body began: the header must come first.
[[noreturn]] void header_after_body(const SourceLine& line) {
    throw SyntaxError{{line.number, line.tokens[0].column},
                      fmt::format("found '{}' after the first instruction, expected header lines "
                                  "(kernel, target, tensor) before the body",
                                  line.tokens[0].text)};
}

void KernelParser::kernel_line(const SourceLine& line) {
    if (m_kernel_line != 0)
        throw SyntaxError{loc(line, line.tokens[0]),
                          fmt::format("duplicate kernel line, expected one (the first is line {})",
                                      m_kernel_line)};
    if (m_stage == Stage::body) header_after_body(line);
    // Counted as present even if malformed, so the next line is not also blamed for its absence.
    m_kernel_line = line.number;
    m_stage = std::max(m_stage, Stage::target);
    expect_tokens(line, 2, "'kernel NAME'");
    FieldReader name(line.tokens[1].text, loc(line, line.tokens[1]), "kernel name");
    m_program.name = name.identifier("an identifier");
    for (auto& c : take_comments(line)) m_program.header_comments.push_back(std::move(c));
}

void KernelParser::target_line(const SourceLine& line) {
    if (m_target_line != 0)
        throw SyntaxError{loc(line, line.tokens[0]),
                          fmt::format("duplicate target line, expected one (the first is line {})",
                                      m_target_line)};
    if (m_stage == Stage::body) header_after_body(line);
    m_target_line = line.number;
    m_stage = std::max(m_stage, Stage::tensors);
    expect_tokens(line, 2, kTargetSyntax);
    FieldReader value(line.tokens[1].text, loc(line, line.tokens[1]), "target");
    m_program.target = value.choice(parse_generation, generation_name, kGenerationCount,
                                    "a NeuronCore generation");
    for (auto& c : take_comments(line)) m_program.header_comments.push_back(std::move(c));
}

void KernelParser::tensor_line(const SourceLine& line) {
    if (m_stage == Stage::body) header_after_body(line);
    expect_tokens(line, 5, "'tensor NAME [D0, D1, ...] DTYPE ROLE'");
    const Token& name_token = line.tokens[1];
    TensorDecl t;
    t.name = FieldReader(name_token.text, loc(line, name_token), "tensor name")
                 .identifier("an identifier");
    if (t.name == "sbuf" || t.name == "psum")
        throw SyntaxError{
            loc(line, name_token),
            fmt::format("tensor name '{}' is reserved, expected a name other than sbuf "
                        "and psum",
                        t.name)};
    if (const auto first = m_tensor_lines.find(t.name); first != m_tensor_lines.end())
        throw SyntaxError{
            loc(line, name_token),
            fmt::format("duplicate tensor '{}', expected a new name (the first is line {})", t.name,
                        first->second)};
    m_tensor_lines.emplace(t.name, line.number);
    const std::string label = fmt::format("tensor '{}'", t.name);
    t.shape = FieldReader(line.tokens[2].text, loc(line, line.tokens[2]), label + " shape")
                  .tensor_shape();
    t.dtype = FieldReader(line.tokens[3].text, loc(line, line.tokens[3]), label + " dtype")
                  .choice(parse_dtype, dtype_name, kDTypeCount, "a data type");
    t.role = FieldReader(line.tokens[4].text, loc(line, line.tokens[4]), label + " role")
                 .choice(parse_tensor_role, tensor_role_name, kTensorRoleCount, "a role");
    t.loc = loc(line, line.tokens[0]);
    t.comments = take_comments(line);
    m_program.tensors.push_back(std::move(t));
    m_patterns.clear();
    m_lines.clear();
}

void KernelParser::stream_line(const SourceLine& line) {
    m_stage = Stage::body;
    if (m_sequential_seen)
        throw SyntaxError{
            loc(line, line.tokens[0]),
            "found 'stream' after sequential instructions, expected one form per file: "
            "a sequential body or stream blocks, not a mix"};
    expect_tokens(line, 2, "'stream ENGINE'");
    FieldReader value(line.tokens[1].text, loc(line, line.tokens[1]), "stream");
    m_stream = value.choice(parse_engine, engine_name, kEngineCount, "an engine");
    // Comments above a stream line stay pending: they print above its first instruction.
    if (line.comment) m_pending_comments.push_back(*line.comment);
}

void KernelParser::instruction_line(const SourceLine& line) {
    m_stage = Stage::body;
    if (!m_stream) m_sequential_seen = true;  // even when the line is bad: the form is decided
    const Token& head = line.tokens[0];
    const auto op = parse_opcode(head.text);
    if (!op)
        throw SyntaxError{loc(line, head), fmt::format("unknown opcode '{}', expected one of: {}",
                                                       quote(head.text), opcode_list())};
    const OpcodeInfo& info = opcode_info(*op);
    Instruction inst = Instruction::make(*op);
    inst.loc = loc(line, head);
    if (m_stream) inst.engine = *m_stream;
    std::vector<Token> generic_seen;  // engine= and round= (wait= and inc= may repeat)
    for (size_t i = 1; i < line.tokens.size(); ++i) {
        const Token& t = line.tokens[i];
        const size_t eq = t.text.find('=');
        const std::string_view key = t.text.substr(0, eq);
        // An operand's name is an identifier: only a key that names none is checked for being one.
        const int index = eq == std::string_view::npos ? -1 : arg_index(*op, key);
        if (index < 0 && (eq == std::string_view::npos || !is_identifier(key)))
            throw SyntaxError{loc(line, t),
                              fmt::format("found '{}', expected KEY=VALUE", quote(t.text))};
        const bool generic = index < 0 && std::find(kGenericKeys.begin(), kGenericKeys.end(),
                                                    key) != kGenericKeys.end();
        if (index < 0 && !generic) {
            std::string keys;
            for (const auto& spec : info.args) keys += fmt::format("{}, ", spec.name);
            for (const auto& k : kGenericKeys)
                keys += fmt::format("{}{}", k, k == kGenericKeys.back() ? "" : ", ");
            throw SyntaxError{loc(line, t),
                              fmt::format("unknown operand '{}' of {}, expected one of: {}",
                                          quote(key), info.name, keys)};
        }
        // An operand given before has its value set already.
        bool given_before = index >= 0 && inst.has(index);
        unsigned first_column = index >= 0 ? inst.arg_columns[size_t(index)] : 0;
        if (generic && key != "wait" && key != "inc") {
            for (const Token& seen : generic_seen)
                if (seen.text == key) {
                    given_before = true;
                    first_column = seen.column;
                }
            generic_seen.push_back({key, t.column});
        }
        if (given_before)
            throw SyntaxError{
                loc(line, t),
                fmt::format("duplicate operand '{}'{}, expected each key once", key,
                            first_column ? fmt::format(" (first at column {})", first_column)
                                         : std::string())};
        const SourceLoc value_loc{line.number, unsigned(t.column + eq + 1)};
        const std::string_view value_text = t.text.substr(eq + 1);
        FieldReader value = FieldReader::operand(value_text, value_loc, key);
        if (index >= 0) {
            read_operand(inst.args[size_t(index)], info.args[size_t(index)].kind, value_text,
                         value);
            inst.arg_columns[size_t(index)] = t.column <= UINT16_MAX ? uint16_t(t.column) : 0;
        } else {
            generic_key(inst, key, value, value_loc);
        }
    }
    for (size_t i = 0; i < info.args.size(); ++i)
        if (info.args[i].required && !inst.has(int(i)))
            throw SyntaxError{inst.loc, fmt::format("missing required operand '{}' of {}",
                                                    info.args[i].name, info.name)};
    if (m_stream && !has_engine(info.engines, *m_stream))
        throw SyntaxError{inst.loc,
                          fmt::format("found {} in 'stream {}', expected an opcode that runs "
                                      "on {} ({} runs on: {})",
                                      info.name, engine_name(*m_stream), engine_name(*m_stream),
                                      info.name, engine_list(info.engines))};
    inst.comments = take_comments(line);
    if (m_stream)
        m_streams[size_t(*m_stream)].push_back(std::move(inst));
    else
        m_program.instructions.push_back(std::move(inst));
}

// An operand's value, into its slot; an access pattern whose text was read before is shared with
// the operands that had it.
void KernelParser::read_operand(ArgValue& into, ArgKind kind, std::string_view text,
                                FieldReader& value) {
    if (kind != ArgKind::ap) {
        into = value.arg_value(kind, m_program);
    } else if (const PatternOperand* seen = m_patterns.find(text)) {
        into = *seen;
    } else {
        m_patterns.put(text, into.emplace<PatternOperand>(value.access_pattern(m_program)));
    }
}

void KernelParser::generic_key(Instruction& inst, std::string_view key, FieldReader& value,
                               SourceLoc value_loc) {
    const OpcodeInfo& info = opcode_info(inst.op);
    if (key == "wait") {
        inst.waits.push_back(value.wait());
    } else if (key == "inc") {
        inst.incs.push_back(value.inc());
    } else if (key == "round") {
        inst.rounding = value.choice(parse_rounding, rounding_name, kRoundingCount, "a rounding");
    } else {  // engine
        const Engine e = value.choice(parse_engine, engine_name, kEngineCount, "an engine");
        if (m_stream && e != *m_stream)
            throw SyntaxError{
                value_loc,
                fmt::format("operand 'engine': found {}, which contradicts "
                            "'stream {}', expected {} or no engine=",
                            engine_name(e), engine_name(*m_stream), engine_name(*m_stream))};
        if (!has_engine(info.engines, e))
            throw SyntaxError{value_loc,
                              fmt::format("operand 'engine': found {}, which cannot run {}, "
                                          "expected one of: {}",
                                          engine_name(e), info.name, engine_list(info.engines))};
        inst.engine = e;
    }
}

std::vector<std::string> KernelParser::take_comments(const SourceLine& line) {
    std::vector<std::string> comments = std::move(m_pending_comments);
    m_pending_comments.clear();
    if (line.comment) comments.push_back(*line.comment);
    return comments;
}

}  // namespace

Program parse_kernel(std::string_view text, const std::string& file, const ParseOptions& options) {
    return KernelParser().parse(text, file, options);
}

Program parse_kernel_file(const std::string& path) {
    std::string text;
    try {
        text = read_bounded_file(path, kMaxKernelFileBytes, ErrorKind::kernel);
    } catch (const FileReadError& e) {
        throw KernelError(path, {{{}, "cannot read file: " + e.reason()}});
    }
    return parse_kernel(text, path);
}

}  // namespace nsim::isa
