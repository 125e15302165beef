// The error every configuration problem ends in: names the file, the JSON path and the expectation.
#pragma once

#include <stdexcept>
#include <string>

namespace nsim::sim {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace nsim::sim
