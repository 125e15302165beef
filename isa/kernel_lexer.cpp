// Lexical layer of kernel files: tokens, comments, cursor, number conversions.
#include "isa/kernel_lexer.h"

#include <algorithm>
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

// The bytes of a block of at most 16 that split tokens (space, tab) and that open or close
// brackets, a bit each. The scanner walks the set bits: most bytes of a kernel line are inside a
// token and need no look of their own. Sixteen at a time where SSE2 is (every x86-64).
struct StopMasks {
    uint32_t split = 0, open = 0, close = 0;
};

StopMasks stop_masks(const char* bytes, size_t count) {
    StopMasks m;
#if defined(__SSE2__)
    if (count == 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes));
        // '[' and '{' differ in bit 5 alone, as do ']' and '}': one compare for each pair.
        const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        m.split = unsigned(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                                          _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')))));
        m.open = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(folded, _mm_set1_epi8('{'))));
        m.close = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(folded, _mm_set1_epi8('}'))));
        return m;
    }
#endif
    for (size_t k = 0; k < count; ++k) {
        const uint32_t bit = 1u << k;
        switch (kScanClass[static_cast<unsigned char>(bytes[k])]) {
            case kSplit:
                m.split |= bit;
                break;
            case kOpen:
                m.open |= bit;
                break;
            case kClose:
                m.close |= bit;
                break;
            default:
                break;
        }
    }
    return m;
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
    // A token runs from a byte that is not a space to the next space outside brackets.
    const size_t n = line.size();
    bool in_token = false;
    size_t start = 0;
    size_t depth = 0;  // brackets opened and not yet closed: spaces inside them do not split
    for (size_t base = 0; base < n; base += 16) {
        const size_t count = std::min<size_t>(16, n - base);
        const StopMasks m = stop_masks(line.data() + base, count);
        const uint32_t valid = count == 16 ? 0xffffu : (1u << count) - 1;
        const uint32_t stops = m.split | m.open | m.close;
        uint32_t ahead = valid;  // the bits of the bytes not walked yet
        while (ahead) {
            if (!in_token) {
                const uint32_t starts = ahead & ~m.split;
                if (!starts) break;
                const unsigned at = unsigned(__builtin_ctz(starts));
                start = base + at;
                in_token = true;
                depth = m.open >> at & 1;  // its first byte may open a bracket (a closer: none)
                ahead &= ~((2u << at) - 1);
                continue;
            }
            const uint32_t next = stops & ahead;
            if (!next) break;
            const unsigned at = unsigned(__builtin_ctz(next));
            ahead &= ~((2u << at) - 1);
            if (m.open >> at & 1) {
                ++depth;
            } else if (m.close >> at & 1) {
                depth -= depth > 0;
            } else if (depth == 0) {
                out.tokens.push_back({line.substr(start, base + at - start), unsigned(start + 1)});
                in_token = false;
            }
        }
    }
    if (in_token) out.tokens.push_back({line.substr(start), unsigned(start + 1)});
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
