// Running work in a forked child: SystemC elaborates once per process, so each simulation of a
// sweep (and the functional check beside a timing run) gets a process of its own.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace nsim::runtime {

// A forked child computing a text result; started by start_child, collected by wait_any.
struct Child {
    pid_t pid = -1;
    int output_fd = -1;
    std::string received;  // what the child has sent so far
};

// What a child ended with: its text, or the error it threw (or how it died).
struct ChildOutcome {
    bool ok = false;
    std::string text;  // the result, or the error message
};

// Forks; the child runs `work` and sends back its text, or the message of the exception it threw.
Child start_child(const std::function<std::string()>& work);

// Waits until one of `children` ends, removes it from the list and returns its index and outcome.
std::pair<size_t, ChildOutcome> wait_any(std::vector<Child>& children);

}  // namespace nsim::runtime
