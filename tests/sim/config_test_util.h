// Helpers for the configuration tests: JSON files in the temp dir, and the error loading one gives.
#pragma once

#include <cstdio>
#include <fstream>
#include <string>

#include <unistd.h>

#include "isa/error.h"

namespace nsim::test {

// Writes `body` to a file named after `stem` in the temp dir and returns its path.
inline std::string write_temp_json(const std::string& stem, const std::string& body) {
    // The process id keeps test cases that run in parallel (and other checkouts' runs) apart.
    const std::string path =
        std::string(P_tmpdir) + "/nsim_test_" + std::to_string(::getpid()) + "_" + stem + ".json";
    std::ofstream(path) << body;
    return path;
}

// The ConfigError message `load(path)` throws, or "" when it loads.
template <class Load>
std::string config_error(Load&& load, const std::string& path) {
    try {
        load(path);
    } catch (const nsim::ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace nsim::test
