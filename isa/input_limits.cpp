#include "isa/input_limits.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <sys/stat.h>

namespace nsim {

FileReadError::FileReadError(ErrorKind kind, const std::string& path, std::string reason)
    : Error(kind, fmt::format("{}: cannot read the file: {}", path, reason)),
      m_reason(std::move(reason)) {}

std::string read_bounded_file(const std::string& path, uint64_t max_bytes, ErrorKind kind) {
    const auto fail = [&](const std::string& reason) { return FileReadError(kind, path, reason); };
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw fail(std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw fail("it is a directory");
    if (!S_ISREG(st.st_mode)) throw fail("expected a regular file (not a device, pipe or socket)");
    if (uint64_t(st.st_size) > max_bytes)
        throw fail(
            fmt::format("it has {} bytes, expected at most {} MiB", st.st_size, max_bytes >> 20));
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"),
                                                            &std::fclose);
    if (!f) throw fail(std::strerror(errno));
    std::string text(size_t(st.st_size), '\0');
    const size_t n = std::fread(text.data(), 1, text.size(), f.get());
    if (std::ferror(f.get())) throw fail(std::strerror(errno));
    text.resize(n);  // the file may have shrunk since stat; growth past the bound is not read
    return text;
}

namespace {

// Walks JSON text keeping only what the shape check needs: the open containers and, for each open
// object, the keys seen so far.
class JsonShapeScanner {
public:
    JsonShapeScanner(std::string_view text, const std::string& where, ErrorKind kind)
        : m_text(text), m_where(where), m_kind(kind) {}

    void scan() {
        for (m_pos = 0; m_pos < m_text.size(); ++m_pos) {
            const char c = m_text[m_pos];
            if (c == '\n') ++m_line;
            if (c == '"') {
                on_string(read_string());
            } else if (c == '{' || c == '[') {
                if (m_open.size() >= kMaxJsonDepth)
                    fail(fmt::format("nested deeper than {} levels", kMaxJsonDepth));
                m_open.push_back({c == '{', {}, c == '{'});
            } else if (c == '}' || c == ']') {
                if (!m_open.empty()) m_open.pop_back();
            } else if (c == ',' && !m_open.empty() && m_open.back().is_object) {
                m_open.back().expect_key = true;
            }
        }
    }

private:
    struct Container {
        bool is_object;
        std::set<std::string> keys;
        bool expect_key;  // the next string in this object is a key
    };

    // The string starting at m_pos (a quote), raw (escapes kept: equal keys are equal raw text in
    // every file a person writes); leaves m_pos on the closing quote.
    std::string read_string() {
        const size_t start = ++m_pos;
        while (m_pos < m_text.size() && m_text[m_pos] != '"') {
            if (m_text[m_pos] == '\\') ++m_pos;
            if (m_pos < m_text.size() && m_text[m_pos] == '\n') ++m_line;
            ++m_pos;
        }
        return std::string(m_text.substr(start, m_pos - start));
    }

    void on_string(std::string text) {
        if (m_open.empty() || !m_open.back().is_object || !m_open.back().expect_key) return;
        m_open.back().expect_key = false;
        if (!m_open.back().keys.insert(text).second)
            fail(fmt::format("the key \"{}\" appears twice in one object, expected each key once",
                             text));
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(m_kind, fmt::format("{}:{}: {}", m_where, m_line, what));
    }

    std::string_view m_text;
    const std::string& m_where;
    ErrorKind m_kind;
    size_t m_pos = 0;
    unsigned m_line = 1;
    std::vector<Container> m_open;
};

}  // namespace

void check_json_shape(std::string_view text, const std::string& where, ErrorKind kind) {
    JsonShapeScanner(text, where, kind).scan();
}

std::string abbreviate(std::string text, size_t max_chars) {
    if (text.size() > max_chars) text = text.substr(0, max_chars) + "...";
    return text;
}

std::string read_json_file(const std::string& path, ErrorKind kind) {
    std::string text = read_bounded_file(path, kMaxJsonFileBytes, kind);
    check_json_shape(text, path, kind);
    return text;
}

}  // namespace nsim
