// The example kernels shipped in examples/kernels/, for the tests that check every one of them.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nsim::test {

inline std::filesystem::path example_kernel_dir() {
    return std::filesystem::path(NSIM_SOURCE_DIR) / "examples" / "kernels";
}

// Every *.nki file of examples/kernels/, sorted so that failures read the same on every run.
inline std::vector<std::filesystem::path> example_kernels() {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(example_kernel_dir()))
        if (entry.is_regular_file() && entry.path().extension() == ".nki")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace nsim::test
