#include "cli/file_io.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nsim::cli {

namespace {

std::runtime_error file_error(std::string_view verb, const std::string& path, const char* reason) {
    return std::runtime_error("cannot " + std::string(verb) + " '" + path + "': " + reason);
}

}  // namespace

std::string read_text_file(const std::string& path) {
    // An ifstream opens a directory without complaint on Linux and then reads nothing.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw file_error("read", path, "is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw file_error("read", path, std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw file_error("read", path, std::strerror(errno));
    return text.str();
}

void write_text_file(const std::string& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw file_error("write", path, std::strerror(errno));
    out.write(text.data(), std::streamsize(text.size()));
    out.close();
    if (!out) throw file_error("write", path, std::strerror(errno));
}

}  // namespace nsim::cli
