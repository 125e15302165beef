// Runs the nsim binary as a user would (through the shell) and captures what it prints.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nsim::test {

struct NsimRun {
    int exit_code = -1;     // -1 when the process did not exit normally
    bool signaled = false;  // killed by a signal: a crash
    std::string out, err;
    double seconds = 0;  // wall time
};

// How long run_nsim lets nsim run before it kills it (exit code 124): a hang fails, never stalls.
inline constexpr int kNsimTimeoutSeconds = 120;

// Runs `nsim ARGS...` with each argument passed verbatim, stdin from /dev/null.
NsimRun run_nsim(const std::vector<std::string>& args);

// True when the process ended by itself: no signal, no timeout, no sanitizer report, no uncaught
// exception.
bool ended_cleanly(const NsimRun& r);

// A temporary directory, removed with everything in it when the object goes away.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    // Writes `content` to the file `name` inside the directory and returns its path.
    std::string write(const std::string& name, const std::string& content) const;

private:
    std::filesystem::path m_path;
};

}  // namespace nsim::test
