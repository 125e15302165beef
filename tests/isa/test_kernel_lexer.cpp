// The token scanner of kernel lines against a byte-by-byte statement of its rule, on random lines
// long enough for its sixteen-byte steps to stop at every offset.
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "isa/kernel_lexer.h"

using namespace nsim::isa;

namespace {

// Tokens are split by spaces and tabs outside brackets ([ ] { }, any nesting; a stray closer
// closes nothing); a '#' starts the comment.
std::vector<std::pair<std::string, unsigned>> reference_tokens(std::string line) {
    line = line.substr(0, line.find('#'));
    std::vector<std::pair<std::string, unsigned>> out;
    size_t i = 0;
    while (i < line.size()) {
        if (line[i] == ' ' || line[i] == '\t') {
            ++i;
            continue;
        }
        const size_t start = i;
        int depth = 0;
        for (; i < line.size(); ++i) {
            const char c = line[i];
            if (c == '[' || c == '{') ++depth;
            if ((c == ']' || c == '}') && depth > 0) --depth;
            if ((c == ' ' || c == '\t') && depth == 0) break;
        }
        out.push_back({line.substr(start, i - start), unsigned(start + 1)});
    }
    return out;
}

}  // namespace

TEST_CASE("kernel lexer: tokens split at spaces outside brackets, wherever they fall", "[isa]") {
    std::mt19937 rng(11);
    const std::string alphabet = "ab=.@:1 \t[]{}{}#";
    for (int n = 0; n < 20000; ++n) {
        std::string line(rng() % 90, ' ');
        for (char& c : line) c = alphabet[rng() % (n % 4 == 0 ? alphabet.size() : 8)];
        INFO(line);
        const SourceLine lexed = lex_line(line, 1);
        std::vector<std::pair<std::string, unsigned>> got;
        for (const Token& t : lexed.tokens) got.push_back({std::string(t.text), t.column});
        CHECK(got == reference_tokens(line));
    }
}
