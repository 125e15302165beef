#include "tests/cli/nsim_runner.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <sys/wait.h>

#include "tests/example_kernels.h"  // read_file

namespace nsim::test {

namespace {

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// The binary under test: this build's, or NSIM_TEST_BINARY's (CI runs these tests against the
// sanitizer build's nsim without compiling them a second time).
std::string nsim_binary() {
    const char* other = std::getenv("NSIM_TEST_BINARY");
    return other && *other ? other : NSIM_BINARY;
}

}  // namespace

ScratchDir::ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "nsim-cli-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    m_path = pattern;
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::string ScratchDir::write(const std::string& name, const std::string& content) const {
    const auto file = m_path / name;
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
}

NsimRun run_nsim(const std::vector<std::string>& args) {
    const ScratchDir scratch;
    const auto err_file = scratch.path() / "stderr";
    std::string command =
        "timeout -k 5 " + std::to_string(kNsimTimeoutSeconds) + " " + shell_quote(nsim_binary());
    for (const auto& a : args) command += " " + shell_quote(a);
    command += " </dev/null 2>" + shell_quote(err_file.string());

    const auto start = std::chrono::steady_clock::now();
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed: " + command);
    NsimRun run;
    char buffer[4096];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.out.append(buffer, n);
    const int status = pclose(pipe);
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // The shell reports a child killed by signal N as exit code 128 + N.
    run.signaled = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) > 128);
    if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
    run.err = read_file(err_file);
    return run;
}

bool ended_cleanly(const NsimRun& r) {
    for (const char* sign : {"Sanitizer", "runtime error:", "terminate called"})
        if (r.err.find(sign) != std::string::npos) return false;
    return !r.signaled && r.exit_code >= 0 && r.exit_code != 124;  // 124: `timeout` killed it
}

}  // namespace nsim::test
