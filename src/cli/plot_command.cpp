// `ouroboros plot`: the figures are drawn by the Python package (matplotlib), which the build puts in
// <directory of this program>/python: the command runs Debian's python3 on it with the same arguments.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "commands.hpp"
#include "ouroboros/core/error.hpp"

namespace ouro {

int plot_command(const PlotOptions& options) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto package = self.parent_path() / "python";
  if (ec || !std::filesystem::exists(package / "ouroboros" / "plot.py"))
    throw UserError(fmt::format("plot: the Python package is not beside this program ({}); build with "
                                "OUROBOROS_PYTHON=ON (the default)", package.string()));
  const char* old = std::getenv("PYTHONPATH");
  std::string path = package.string();
  if (old && *old) path.append(":").append(old);
  setenv("PYTHONPATH", path.c_str(), 1);
  std::vector<std::string> args{"/usr/bin/python3", "-m", "ouroboros.plot", options.results, "--format", options.format,
                                "--band", options.band};
  for (const auto& m : options.metrics) {
    args.push_back("--metric");
    args.push_back(m);
  }
  if (!options.out.empty()) {
    args.push_back("--out");
    args.push_back(options.out);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  execv(argv[0], argv.data());
  throw UserError(fmt::format("plot: cannot start {}: {}", args[0], std::strerror(errno)));
}

}  // namespace ouro
