// The lexical layer of kernel files: lines split into tokens and comments, a cursor over the
// characters of one token, and checked conversions of number text.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "isa/diagnostic.h"

namespace nsim::isa {

// A syntax error inside one line; the parser records it and moves on to the next line.
struct SyntaxError {
    SourceLoc loc;
    std::string message;
};

// A whitespace-separated word of a line (spaces inside [] and {} do not separate).
struct Token {
    std::string_view text;
    unsigned column = 0;  // 1-based byte column of its first character
};

// One line of a kernel file: its tokens and its end-of-line comment, if any.
struct SourceLine {
    unsigned number = 0;  // 1-based
    std::vector<Token> tokens;
    std::optional<std::string> comment;  // text after '#', one leading space stripped
};

// Splits one line (without its '\n'; a trailing '\r' is ignored) into tokens and comment.
SourceLine lex_line(std::string_view line, unsigned number);
// The same into `out`, whose token array is reused: a parser lexes every line into one.
void lex_line(std::string_view line, unsigned number, SourceLine& out);

// The character classes of kernel text, a table lookup each.
enum CharClass : uint8_t { kSpaceChar = 1, kAlphaChar = 2, kDigitChar = 4, kDashChar = 8 };
inline constexpr std::array<uint8_t, 256> kCharClasses = [] {
    std::array<uint8_t, 256> t{};
    t[' '] = t['\t'] = kSpaceChar;
    for (int c = 'a'; c <= 'z'; ++c) t[size_t(c)] = kAlphaChar;
    for (int c = 'A'; c <= 'Z'; ++c) t[size_t(c)] = kAlphaChar;
    t['_'] = kAlphaChar;
    for (int c = '0'; c <= '9'; ++c) t[size_t(c)] = kDigitChar;
    t['-'] = kDashChar;
    return t;
}();
inline bool has_class(char c, uint8_t classes) {
    return (kCharClasses[static_cast<unsigned char>(c)] & classes) != 0;
}
inline bool is_space(char c) { return has_class(c, kSpaceChar); }
inline bool is_alpha(char c) { return has_class(c, kAlphaChar); }  // [A-Za-z_]
inline bool is_digit(char c) { return has_class(c, kDigitChar); }

bool is_identifier(std::string_view s);

// `text` made safe and short for a message: non-printable bytes as \xNN, long text cut with "...".
std::string quote(std::string_view text);

// Reads the characters of one token from left to right; never reads past its end.
class Cursor {
public:
    explicit Cursor(std::string_view text) : m_text(text) {}
    bool at_end() const { return m_pos >= m_text.size(); }
    bool peek(char c) const { return !at_end() && m_text[m_pos] == c; }
    bool eat(char c) {
        if (!peek(c)) return false;
        ++m_pos;
        return true;
    }
    bool eat(std::string_view s) {
        if (m_text.substr(m_pos, s.size()) != s) return false;
        m_pos += s.size();
        return true;
    }
    void skip_space() {
        while (!at_end() && is_space(m_text[m_pos])) ++m_pos;
    }
    // [A-Za-z_][A-Za-z0-9_]* at the cursor, possibly empty
    std::string_view identifier() {
        const size_t start = m_pos;
        if (!at_end() && is_alpha(m_text[m_pos]))
            while (!at_end() && has_class(m_text[m_pos], kAlphaChar | kDigitChar)) ++m_pos;
        return m_text.substr(start, m_pos - start);
    }
    // A plain decimal number of at most 18 digits, at most `max`, that is a whole word (the next
    // character is not one of [-A-Za-z0-9_]): true with the cursor after it; otherwise false, not
    // moved.
    bool decimal(uint64_t max, uint64_t& value) {
        size_t end = m_pos;
        uint64_t v = 0;
        while (end < m_text.size() && end - m_pos < 18 && is_digit(m_text[end]))
            v = v * 10 + uint64_t(m_text[end++] - '0');
        if (end == m_pos || v > max ||
            (end < m_text.size() && has_class(m_text[end], kAlphaChar | kDigitChar | kDashChar)))
            return false;
        value = v;
        m_pos = end;
        return true;
    }
    // a run of [-A-Za-z0-9_] (a number, maybe malformed)
    std::string_view word() {
        const size_t start = m_pos;
        while (!at_end() && has_class(m_text[m_pos], kAlphaChar | kDigitChar | kDashChar)) ++m_pos;
        return m_text.substr(start, m_pos - start);
    }

private:
    std::string_view m_text;
    size_t m_pos = 0;
};

enum class NumberStatus { ok, syntax, out_of_range };

// An optional '-' then decimal digits or 0x hex digits, the whole of `s`, within T's range.
NumberStatus parse_integer_magnitude(std::string_view s, bool& negative, uint64_t& magnitude);
template <class T>
NumberStatus parse_integer(std::string_view s, T& out) {
    static_assert(std::is_integral_v<T> && sizeof(T) <= sizeof(uint64_t));
    bool negative = false;
    uint64_t magnitude = 0;
    const NumberStatus status = parse_integer_magnitude(s, negative, magnitude);
    if (status != NumberStatus::ok) return status;
    if (!negative) {
        if (magnitude > uint64_t(std::numeric_limits<T>::max())) return NumberStatus::out_of_range;
        out = T(magnitude);
    } else if (magnitude == 0) {
        out = 0;
    } else {
        if constexpr (std::is_signed_v<T>) {
            // |min| = max + 1; build the value from (magnitude - 1) so nothing overflows.
            if (magnitude - 1 > uint64_t(std::numeric_limits<T>::max()))
                return NumberStatus::out_of_range;
            out = T(-T(magnitude - 1) - 1);
        } else {
            return NumberStatus::out_of_range;
        }
    }
    return NumberStatus::ok;
}

// An fp32 immediate, the whole of `s`: decimal or exponent notation, `inf`, `-inf` or `nan`,
// rounded to the nearest fp32. Values beyond the fp32 range (including ones that would flush to
// zero) are out_of_range.
NumberStatus parse_fp32(std::string_view s, float& out);

}  // namespace nsim::isa
