// Running work in a forked child: SystemC elaborates once per process, so each simulation of a
// sweep (and the functional check beside a timing run) gets a process of its own.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "isa/error.h"

namespace nsim::runtime {

// What a child ended with: its text, or the error it threw (or how it died).
struct ChildOutcome {
    bool ok = false;
    std::string text;               // the result, or the error message
    std::optional<ErrorKind> kind;  // the kind of the nsim::Error the child threw
};

// Throws what the failed child threw, as far as it crossed the pipe: an nsim::Error of its kind
// (ConfigError, InputError, SimError, or the base class for the other kinds), otherwise
// std::runtime_error; `context` is put before the message.
[[noreturn]] void throw_failure(const ChildOutcome& outcome, const std::string& context = "");

// Work for a child: runs in the forked process and returns its result as bytes.
using ChildWork = std::function<std::string()>;
// Told as each child ends (in the order they end): the index of its work and its outcome.
using ChildDone = std::function<void(size_t work, const ChildOutcome& outcome)>;

// Runs each of `works` in a forked child of its own, at most `jobs` (at least 1) at a time, and
// returns their outcomes in the order of `works`. Every child is waited for, whatever its outcome.
std::vector<ChildOutcome> run_children(const std::vector<ChildWork>& works, size_t jobs,
                                       const ChildDone& done = {});

}  // namespace nsim::runtime
