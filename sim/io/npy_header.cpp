// Parses and writes the .npy header dict; every malformed byte sequence ends in an NpyError.
#include "sim/io/npy_header.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include <fmt/format.h>

#include "sim/io/npy.h"

namespace nsim::sim {

namespace {

// A recursive-descent reader of the one dict shape numpy writes:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// numpy itself runs ast.literal_eval and then checks the keys and value types; this accepts the
// same language restricted to what those checks let through.
class HeaderParser {
public:
    HeaderParser(std::string_view text, const std::string& where) : m_s(text), m_where(where) {}

    NpyHeader parse() {
        NpyHeader h;
        bool seen_descr = false, seen_fortran = false, seen_shape = false;
        expect('{', "the header is not a dict literal");
        while (true) {
            skip_space();
            if (peek() == '}') break;
            const std::string key = string_literal("a quoted key");
            expect(':', fmt::format("expected ':' after the key '{}'", key));
            if (key == "descr") {
                mark_seen(seen_descr, key);
                skip_space();
                if (peek() == '[' || peek() == '{')
                    fail("'descr' is a structured dtype; only plain numeric arrays are supported");
                h.descr = string_literal("a quoted dtype for 'descr'");
            } else if (key == "fortran_order") {
                mark_seen(seen_fortran, key);
                h.fortran_order = boolean();
            } else if (key == "shape") {
                mark_seen(seen_shape, key);
                h.shape = shape();
            } else {
                fail(fmt::format(
                    "the header has an unexpected key '{}' (a .npy header has exactly 'descr', "
                    "'fortran_order' and 'shape')",
                    key));
            }
            skip_space();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() != '}') fail_at("expected ',' or '}' in the header dict");
        }
        ++m_pos;  // '}'
        skip_space();
        if (m_pos != m_s.size()) fail_at("unexpected bytes after the header dict");
        const std::pair<bool, const char*> required[] = {
            {seen_descr, "descr"}, {seen_fortran, "fortran_order"}, {seen_shape, "shape"}};
        for (const auto& [seen, key] : required)
            if (!seen) fail(fmt::format("the header lacks the key '{}'", key));
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const { throw NpyError(m_where + problem); }

    // Names the offending byte: header text comes from arbitrary files, so it may not be printable.
    [[noreturn]] void fail_at(const std::string& problem) const {
        std::string found = "the end of the header";
        if (m_pos < m_s.size()) {
            const auto c = static_cast<unsigned char>(m_s[m_pos]);
            found =
                std::isprint(c) ? fmt::format("'{}'", char(c)) : fmt::format("byte 0x{:02x}", c);
        }
        fail(fmt::format("{}, found {} at header offset {}", problem, found, m_pos));
    }

    char peek() const { return m_pos < m_s.size() ? m_s[m_pos] : '\0'; }

    void skip_space() {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' ||
                                      m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
    }

    void expect(char c, const std::string& problem) {
        skip_space();
        if (m_pos >= m_s.size() || m_s[m_pos] != c) fail_at(problem);
        ++m_pos;
    }

    void mark_seen(bool& seen, const std::string& key) const {
        if (seen) fail(fmt::format("the header has the key '{}' twice", key));
        seen = true;
    }

    std::string string_literal(const char* what) {
        skip_space();
        const char quote = peek();
        if (quote != '\'' && quote != '"') fail_at(fmt::format("expected {}", what));
        const size_t end = m_s.find(quote, m_pos + 1);
        if (end == std::string_view::npos) fail_at("unterminated string in the header");
        std::string value(m_s.substr(m_pos + 1, end - m_pos - 1));
        m_pos = end + 1;
        return value;
    }

    bool boolean() {
        skip_space();
        const std::pair<std::string_view, bool> words[] = {{"True", true}, {"False", false}};
        for (const auto& [word, value] : words)
            if (m_s.substr(m_pos, word.size()) == word) {
                m_pos += word.size();
                return value;
            }
        fail_at("'fortran_order' must be True or False");
    }

    // Python tuple of non-negative ints: "()", "(5,)", "(2, 3)"; "(5)" is an int, not a tuple.
    std::vector<uint64_t> shape() {
        expect('(', "'shape' must be a tuple of integers");
        std::vector<uint64_t> dims;
        bool trailing_comma = false;
        while (true) {
            skip_space();
            if (peek() == ')') break;
            if (dims.size() == kNpyMaxDims)
                fail(fmt::format("the shape has more than {} dimensions", kNpyMaxDims));
            dims.push_back(dimension());
            skip_space();
            trailing_comma = peek() == ',';
            if (trailing_comma) {
                ++m_pos;
                continue;
            }
            if (peek() != ')') fail_at("expected ',' or ')' in the shape");
        }
        ++m_pos;
        if (dims.size() == 1 && !trailing_comma)
            fail("'shape' is an integer, not a tuple (a 1-d shape is written (n,))");
        return dims;
    }

    uint64_t dimension() {
        if (peek() == '-')
            fail(fmt::format("the shape has a negative dimension (at header offset {})", m_pos));
        if (!std::isdigit(static_cast<unsigned char>(peek())))
            fail_at("expected an integer in the shape");
        uint64_t v = 0;
        while (std::isdigit(static_cast<unsigned char>(peek()))) {
            const unsigned digit = unsigned(m_s[m_pos++] - '0');
            if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10)
                fail("a dimension of the shape does not fit in 64 bits");
            v = v * 10 + digit;
        }
        if (peek() == 'L') ++m_pos;  // Python 2 numpy wrote longs as 5L
        return v;
    }

    std::string_view m_s;
    const std::string& m_where;
    size_t m_pos = 0;
};

// Valid sizes per kind, so "<f3" or "<i16" is rejected instead of being read as raw bytes.
bool valid_size(char kind, unsigned size) {
    switch (kind) {
        case 'b':
            return size == 1;
        case 'i':
        case 'u':
            return size == 1 || size == 2 || size == 4 || size == 8;
        case 'f':
            return size == 2 || size == 4 || size == 8 || size == 16;
        case 'c':
            return size == 8 || size == 16 || size == 32;
        default:
            return false;
    }
}

}  // namespace

NpyHeader parse_npy_header(std::string_view text, const std::string& where) {
    return HeaderParser(text, where).parse();
}

NpyScalar parse_npy_descr(const std::string& descr, const std::string& where) {
    NpyScalar s;
    const bool has_order =
        !descr.empty() && (descr[0] == '<' || descr[0] == '>' || descr[0] == '|');
    s.order = has_order ? descr[0] : '|';
    const std::string body = has_order ? descr.substr(1) : descr;
    if (!body.empty() && body[0] == 'O')
        throw NpyError(where + "object arrays (pickled Python objects) are not supported");
    bool ok = body.size() >= 2 && body.size() <= 3;
    for (size_t i = 1; ok && i < body.size(); ++i)
        ok = std::isdigit(static_cast<unsigned char>(body[i])) != 0;
    if (ok) {
        s.kind = body[0];
        s.size = unsigned(std::stoul(body.substr(1)));
        ok = valid_size(s.kind, s.size);
    }
    if (!ok)
        throw NpyError(fmt::format(
            "{}unsupported dtype '{}' (only plain numeric arrays: bool, int, uint, float, complex)",
            where, descr));
    if (s.size > 1 && s.order == '>')
        throw NpyError(
            fmt::format("{}big-endian data ('{}') is not supported; save a.astype('<{}{}') instead",
                        where, descr, s.kind, s.size));
    if (s.size > 1 && s.order != '<')
        throw NpyError(fmt::format("{}dtype '{}' has no byte order; expected '<{}{}'", where, descr,
                                   s.kind, s.size));
    return s;
}

uint64_t npy_data_bytes(const std::vector<uint64_t>& shape, unsigned element_size,
                        const std::string& where) {
    if (shape.size() > kNpyMaxDims)
        throw NpyError(fmt::format("{}the shape has more than {} dimensions", where, kNpyMaxDims));
    uint64_t n = element_size;
    for (uint64_t d : shape)
        if (__builtin_mul_overflow(n, d, &n))
            throw NpyError(fmt::format("{}the shape {} holds more bytes than fit in 64 bits", where,
                                       npy_shape_text(shape)));
    return n;
}

std::string npy_type_name(const NpyScalar& s) {
    switch (s.kind) {
        case 'b':
            return "bool";
        case 'i':
            return fmt::format("int{}", s.size * 8);
        case 'u':
            return fmt::format("uint{}", s.size * 8);
        case 'f':
            return fmt::format("float{}", s.size * 8);
        case 'c':
            return fmt::format("complex{}", s.size * 8);
        default:
            return fmt::format("'{}{}'", s.kind, s.size);
    }
}

std::string npy_shape_text(const std::vector<uint64_t>& shape) {
    if (shape.size() == 1) return fmt::format("({},)", shape[0]);
    return fmt::format("({})", fmt::join(shape, ", "));
}

std::string format_npy_preamble(const NpyHeader& h) {
    std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': {}, 'shape': {}, }}", h.descr,
                                   h.fortran_order ? "True" : "False", npy_shape_text(h.shape));
    // numpy leaves room for the growing axis to reach 21 digits, so the header can be rewritten in
    // place when data is appended; copying that keeps our files byte-identical to np.save's.
    if (!h.shape.empty()) {
        const size_t digits =
            fmt::formatted_size("{}", h.fortran_order ? h.shape.back() : h.shape.front());
        dict.append(21 - std::min<size_t>(digits, 21), ' ');
    }
    for (const int major : {1, 2}) {
        const size_t prefix = major == 1 ? 10 : 12;
        // numpy always pads with 1..64 spaces before the final '\n' (64, not 0, when already
        // aligned).
        const size_t pad = 64 - (prefix + dict.size() + 1) % 64;
        const uint64_t length = dict.size() + pad + 1;
        if (major == 1 && length > 0xffff) continue;
        std::string out("\x93NUMPY", 6);
        out += char(major);
        out += char(0);
        for (size_t i = 0; i < prefix - 8; ++i) out += char((length >> (8 * i)) & 0xff);
        out += dict;
        out.append(pad, ' ');
        out += '\n';
        return out;
    }
    throw NpyError("the .npy header is longer than 4 GiB");  // unreachable: the dims are capped
}

}  // namespace nsim::sim
