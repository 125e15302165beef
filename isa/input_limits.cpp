#include "isa/input_limits.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nsim {

FileReadError::FileReadError(ErrorKind kind, const std::string& path, std::string reason)
    : Error(kind, fmt::format("{}: cannot read the file: {}", path, reason)),
      m_reason(std::move(reason)) {}

namespace {

// Refuses what is not a regular file of at most `max_bytes` bytes before opening it (opening a FIFO
// would block); returns its size.
uint64_t checked_size(const std::string& path, uint64_t max_bytes, ErrorKind kind) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw FileReadError(kind, path, std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw FileReadError(kind, path, "it is a directory");
    if (!S_ISREG(st.st_mode))
        throw FileReadError(kind, path, "expected a regular file (not a device, pipe or socket)");
    if (uint64_t(st.st_size) > max_bytes)
        throw FileReadError(
            kind, path, fmt::format("it has {} bytes, expected at most {}", st.st_size, max_bytes));
    return uint64_t(st.st_size);
}

}  // namespace

std::string read_bounded_file(const std::string& path, uint64_t max_bytes, ErrorKind kind) {
    const uint64_t size = checked_size(path, max_bytes, kind);
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"),
                                                            &std::fclose);
    if (!f) throw FileReadError(kind, path, std::strerror(errno));
    std::string text(size_t(size), '\0');
    const size_t n = std::fread(text.data(), 1, text.size(), f.get());
    if (std::ferror(f.get())) throw FileReadError(kind, path, std::strerror(errno));
    text.resize(n);  // the file may have shrunk since stat; growth past the bound is not read
    return text;
}

MappedFile::MappedFile(const std::string& path, uint64_t max_bytes, ErrorKind kind) {
    checked_size(path, max_bytes, kind);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw FileReadError(kind, path, std::strerror(errno));
    // Its size now, bounded again: the file may have been replaced since it was checked.
    struct stat st {};
    const bool same_kind =
        ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && uint64_t(st.st_size) <= max_bytes;
    void* at = same_kind && st.st_size > 0 ? ::mmap(nullptr, size_t(st.st_size), PROT_READ,
                                                    MAP_PRIVATE | MAP_POPULATE, fd, 0)
                                           : nullptr;
    const int map_errno = errno;
    ::close(fd);
    if (!same_kind) throw FileReadError(kind, path, "it changed while being opened");
    if (at == MAP_FAILED) throw FileReadError(kind, path, std::strerror(map_errno));
    if (at) {
        m_data = static_cast<const char*>(at);
        m_size = size_t(st.st_size);
    }
}

MappedFile::~MappedFile() {
    if (m_data) ::munmap(const_cast<char*>(m_data), m_size);
}

namespace {

// Walks JSON text keeping only what the shape check needs: the open containers and, for each open
// object, the keys seen so far.
class JsonShapeScanner {
public:
    explicit JsonShapeScanner(std::string_view text) : m_text(text) {}

    std::optional<std::string> problem() {
        for (m_pos = 0; m_pos < m_text.size(); ++m_pos) {
            const char c = m_text[m_pos];
            if (c == '\n') ++m_line;
            if (c == '"') {
                if (auto duplicate = on_string(read_string())) return duplicate;
            } else if (c == '{' || c == '[') {
                if (m_open.size() >= kMaxJsonDepth)
                    return at_line(fmt::format("nested deeper than {} levels", kMaxJsonDepth));
                m_open.push_back({c == '{', {}, c == '{'});
            } else if (c == '}' || c == ']') {
                if (!m_open.empty()) m_open.pop_back();
            } else if (c == ',' && !m_open.empty() && m_open.back().is_object) {
                m_open.back().expect_key = true;
            }
        }
        return std::nullopt;
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

    // A key seen the second time in its object is the problem.
    std::optional<std::string> on_string(std::string text) {
        if (m_open.empty() || !m_open.back().is_object || !m_open.back().expect_key)
            return std::nullopt;
        m_open.back().expect_key = false;
        if (m_open.back().keys.insert(text).second) return std::nullopt;
        return at_line(
            fmt::format("the key \"{}\" appears twice in one object, expected each key once",
                        abbreviate(text)));
    }

    std::string at_line(const std::string& what) const {
        return fmt::format("{}: {}", m_line, what);
    }

    std::string_view m_text;
    size_t m_pos = 0;
    unsigned m_line = 1;
    std::vector<Container> m_open;
};

}  // namespace

std::optional<std::string> json_shape_problem(std::string_view text) {
    return JsonShapeScanner(text).problem();
}

std::string abbreviate(std::string text, size_t max_chars) {
    if (text.size() > max_chars) text = text.substr(0, max_chars) + "...";
    return text;
}

std::string read_json_file(const std::string& path, ErrorKind kind) {
    std::string text = read_bounded_file(path, kMaxJsonFileBytes, kind);
    if (auto problem = json_shape_problem(text)) throw Error(kind, path + ":" + *problem);
    return text;
}

}  // namespace nsim
