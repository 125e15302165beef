// The one error hierarchy of nsim. Every failure a user can cause (a bad flag, file, config value,
// kernel, model, or a kernel that deadlocks or races) is an nsim::Error; its kind decides how the
// command reports it and with which exit code. Errors of other types reaching a boundary are bugs.
#pragma once

#include <stdexcept>
#include <string>

namespace nsim {

enum class ErrorKind {
    usage,       // a flag or argument the command cannot take
    input,       // a file or value given by the user: .npy, model, study, sizes
    config,      // a chip or instance file, or a --set override
    kernel,      // kernel text or a program the verifier rejects
    simulation,  // found while simulating: deadlock, race, unknown custom operator
};

// The exit code a command ends with for an error of this kind (README "CLI reference"): 1 when the
// kernel is at fault (it is invalid, deadlocks or races), 2 for everything else the user gave.
constexpr int exit_code(ErrorKind kind) {
    return kind == ErrorKind::kernel || kind == ErrorKind::simulation ? 1 : 2;
}

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
    ErrorKind kind() const { return m_kind; }

private:
    ErrorKind m_kind;
};

// A chip or instance file, or an override, that cannot be used: names the file, the JSON path and
// the expectation.
class ConfigError : public Error {
public:
    explicit ConfigError(const std::string& message) : Error(ErrorKind::config, message) {}
};

// A flag or argument the command cannot take: names the flag and what it expects.
class UsageError : public Error {
public:
    explicit UsageError(const std::string& message) : Error(ErrorKind::usage, message) {}
};

// Bad input other than kernels and configs: names the file, flag or value and the expectation.
class InputError : public Error {
public:
    explicit InputError(const std::string& message) : Error(ErrorKind::input, message) {}
};

// Found while simulating (a deadlock, a race, an unknown custom operator, ...): the message names
// the instruction and what went wrong.
class SimError : public Error {
public:
    explicit SimError(const std::string& message) : Error(ErrorKind::simulation, message) {}
};

}  // namespace nsim
