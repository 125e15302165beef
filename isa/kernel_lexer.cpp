// Lexical layer of kernel files: tokens, comments, cursor, number conversions.
#include "isa/kernel_lexer.h"

#include <array>
#include <charconv>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

namespace nsim::isa {

namespace {

// What each byte is to the token scanner: most bytes only extend the token they are in.
enum ScanClass : uint8_t { kPlain, kSplit, kOpen, kClose };

constexpr std::array<uint8_t, 256> kScanClass = [] {
    std::array<uint8_t, 256> t{};
    t[' '] = t['\t'] = kSplit;
    t['['] = t['{'] = kOpen;
    t[']'] = t['}'] = kClose;
    return t;
}();

// Where the token scanner must look again: the first byte of line[from, end) that splits tokens
// or opens or closes brackets, or the end. Sixteen bytes at a time where SSE2 is (every x86-64):
// most bytes of a kernel line are inside a token.
size_t next_stop(std::string_view line, size_t from) {
#if defined(__SSE2__)
    const __m128i space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    // '[' and '{' differ in bit 5 alone, as do ']' and '}': one compare for each pair.
    const __m128i bit5 = _mm_set1_epi8(0x20), open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}');
    for (; from + 16 <= line.size(); from += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + from));
        const __m128i folded = _mm_or_si128(v, bit5);
        const __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(v, tab)),
                         _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)));
        if (const int mask = _mm_movemask_epi8(hit))
            return from + size_t(__builtin_ctz(unsigned(mask)));
    }
#endif
    for (; from < line.size(); ++from)
        if (kScanClass[static_cast<unsigned char>(line[from])] != kPlain) return from;
    return line.size();
}

}  // namespace

SourceLine lex_line(std::string_view line, unsigned number) {
    SourceLine out;
    lex_line(line, number, out);
    return out;
}

void lex_line(std::string_view line, unsigned number, SourceLine& out) {
    out.number = number;
    out.tokens.clear();
    out.comment.reset();
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) {
        std::string_view comment = line.substr(hash + 1);
        if (!comment.empty() && comment.front() == ' ') comment.remove_prefix(1);
        out.comment = std::string(comment);
        line = line.substr(0, hash);
    }
    const size_t n = line.size();
    size_t i = 0;
    while (i < n) {
        if (is_space(line[i])) {
            ++i;
            continue;
        }
        const size_t start = i;
        size_t depth = 0;  // brackets opened and not yet closed: spaces inside them do not split
        for (i = next_stop(line, i); i < n; i = next_stop(line, i + 1)) {
            const uint8_t c = kScanClass[static_cast<unsigned char>(line[i])];
            if (c == kOpen)
                ++depth;
            else if (c == kClose)
                depth -= depth > 0;
            else if (depth == 0)
                break;
        }
        out.tokens.push_back({line.substr(start, i - start), unsigned(start + 1)});
    }
}

bool is_identifier(std::string_view s) {
    if (s.empty() || !is_alpha(s[0])) return false;
    for (char c : s)
        if (!has_class(c, kAlphaChar | kDigitChar)) return false;
    return true;
}

std::string quote(std::string_view text) {
    constexpr size_t kMaxShown = 60;
    std::string out;
    for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f)
            out += char(c);
        else
            out += fmt::format("\\x{:02x}", c);
    }
    if (text.size() > kMaxShown) out += "...";
    return out;
}

NumberStatus parse_integer_magnitude(std::string_view s, bool& negative, uint64_t& magnitude) {
    negative = !s.empty() && s[0] == '-';
    if (negative) s.remove_prefix(1);
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    // from_chars on an unsigned type rejects signs, so "--1" and "-+1" are syntax errors here.
    if (s.empty()) return NumberStatus::syntax;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
    if (end != s.data() + s.size()) return NumberStatus::syntax;
    if (ec == std::errc::result_out_of_range) return NumberStatus::out_of_range;
    return ec == std::errc() ? NumberStatus::ok : NumberStatus::syntax;
}

NumberStatus parse_fp32(std::string_view s, float& out) {
    const bool negative = !s.empty() && s[0] == '-';
    const std::string_view body = negative ? s.substr(1) : s;
    if (body == "inf") {
        out = negative ? -std::numeric_limits<float>::infinity()
                       : std::numeric_limits<float>::infinity();
        return NumberStatus::ok;
    }
    if (body == "nan" && !negative) {
        out = std::numeric_limits<float>::quiet_NaN();
        return NumberStatus::ok;
    }
    // Only decimal text from here: from_chars would also take "infinity", "nan(...)" and "-nan".
    if (body.empty() || !(is_digit(body[0]) || body[0] == '.')) return NumberStatus::syntax;
    float value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (end != s.data() + s.size()) return NumberStatus::syntax;
    if (ec == std::errc::result_out_of_range) return NumberStatus::out_of_range;
    if (ec != std::errc()) return NumberStatus::syntax;
    out = value;
    return NumberStatus::ok;
}

}  // namespace nsim::isa
