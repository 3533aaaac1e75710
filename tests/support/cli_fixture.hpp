#pragma once
// The `ouroboros` program as a user runs it: a temporary directory per test, the CLI run through the shell with
// stdout and stderr captured.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/files.hpp"

extern char** environ;

namespace ouro::testing {

namespace fs = std::filesystem;

// The sanitizers run the program several times slower. Tests that kill runs at random moments divide their work by
// this, so that a run still lasts long enough to be killed several times, and no longer.
inline constexpr int kSanitizerSlowdown = OUROBOROS_SANITIZED ? 5 : 1;

struct Result {
  int status;
  std::string out, err;
};

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ouroboros_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  Result run(const std::string& args) {
    const std::string cmd = std::string(OUROBOROS_CLI) + " " + args + " >" + (dir_ / "stdout").string() + " 2>" +
                            (dir_ / "stderr").string();
    const int raw = std::system(cmd.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(dir_ / "stdout"), slurp(dir_ / "stderr")};
  }

  static std::string experiment(const std::string& truth, const std::string& model, const std::string& extra = "",
                                const std::string& regimes = "[\"replace\", \"accumulate\"]") {
    return "[experiment]\ngenerations = 6\nreplicates = 20\nseed = 3\nsamples = 10\nregimes = " + regimes +
           "\n[truth]\nfamily = \"" + truth + "\"\n[model]\nfamily = \"" + model + "\"\n" + extra;
  }

  fs::path dir_;
};

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace ouro::testing
