// Bounds on what nsim reads before it reads it: file kinds and sizes, JSON nesting and duplicate
// keys. A file or document past a bound is refused with a message naming it, never read into
// memory first (`nsim check /dev/zero` must not read until the host runs out of memory).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "isa/error.h"

namespace nsim {

// The largest files nsim reads. A 1,000,000-instruction matmul kernel is about 120 MiB of text
// (examples/generate/tiled_matmul.py); the largest chip, instance, model or study file in the
// repository is under 64 KiB.
inline constexpr uint64_t kMaxKernelFileBytes = 256ull << 20;
inline constexpr uint64_t kMaxJsonFileBytes = 16ull << 20;
// Deeper than any config, model or study nsim defines (they nest at most 5 levels).
inline constexpr unsigned kMaxJsonDepth = 64;

// A file that cannot be read: "PATH: cannot read the file: REASON"; reason() is REASON alone.
class FileReadError : public Error {
public:
    FileReadError(ErrorKind kind, const std::string& path, std::string reason);
    const std::string& reason() const { return m_reason; }

private:
    std::string m_reason;
};

// The whole content of a regular file of at most `max_bytes` bytes. Anything else (a missing file,
// a directory, a device, a FIFO, a larger file) throws FileReadError(kind, ...).
std::string read_bounded_file(const std::string& path, uint64_t max_bytes, ErrorKind kind);

// The same file's content mapped read-only instead of copied: a long kernel's text is megabytes,
// and a copy would cost as many fresh pages, each one faulted in (README, Host speed). Refuses what
// read_bounded_file refuses. Should the file be truncated while it is mapped, a read past its new
// end raises SIGBUS (the command line reports it and exits).
class MappedFile {
public:
    MappedFile(const std::string& path, uint64_t max_bytes, ErrorKind kind);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::string_view text() const { return {m_data, m_size}; }

private:
    const char* m_data = nullptr;
    size_t m_size = 0;
};

// What is wrong with the shape of JSON text, checked before a parser builds it: nesting deeper than
// kMaxJsonDepth, or an object with the same key twice (a JSON parser silently keeps the last).
// "LINE: what" or nothing. The rest of the syntax is the parser's to check.
std::optional<std::string> json_shape_problem(std::string_view text);

// A value quoted in a message: at most `max_chars` characters, a longer one cut with "...".
std::string abbreviate(std::string text, size_t max_chars = 80);

// read_bounded_file(path, kMaxJsonFileBytes, kind), then json_shape_problem on it (an Error(kind)
// "PATH:LINE: what"): the text of a JSON file, ready for the parser.
std::string read_json_file(const std::string& path, ErrorKind kind);

}  // namespace nsim
