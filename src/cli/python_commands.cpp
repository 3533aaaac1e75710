// `ouroboros plot` and `ouroboros report`: figures and the HTML report are made by the Python package (matplotlib,
// Vega-Lite), which the build puts in <directory of this program>/python: the commands run Debian's python3 on it
// with the same arguments.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "commands.hpp"
#include "ouroboros/core/error.hpp"

namespace ouro {

namespace {
[[noreturn]] void run_python_module(const std::string& module, std::vector<std::string> args) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto package = self.parent_path() / "python";
  if (ec || !std::filesystem::exists(package / "ouroboros" / "__init__.py"))
    throw UserError(fmt::format("{}: the Python package is not beside this program ({}); build with "
                                "OUROBOROS_PYTHON=ON (the default)", module, package.string()));
  const char* old = std::getenv("PYTHONPATH");
  std::string path = package.string();
  if (old && *old) path.append(":").append(old);
  setenv("PYTHONPATH", path.c_str(), 1);
  args.insert(args.begin(), {"/usr/bin/python3", "-m", "ouroboros." + module});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  execv(argv[0], argv.data());
  throw UserError(fmt::format("{}: cannot start {}: {}", module, args[0], std::strerror(errno)));
}
}  // namespace

int plot_command(const PlotOptions& options) {
  std::vector<std::string> args{options.results, "--format", options.format};
  for (const auto& [flag, value] : {std::pair{"--band", &options.band}, std::pair{"--x-scale", &options.x_scale},
                                    std::pair{"--y-scale", &options.y_scale}, std::pair{"--x", &options.x}})
    if (!value->empty()) {
      args.push_back(flag);
      args.push_back(*value);
    }
  for (const auto& m : options.metrics) {
    args.push_back("--metric");
    args.push_back(m);
  }
  for (const auto g : options.generations) {
    args.push_back("--generation");
    args.push_back(std::to_string(g));
  }
  if (!options.out.empty()) {
    args.push_back("--out");
    args.push_back(options.out);
  }
  run_python_module("plot", args);
}

int report_command(const std::string& results, const std::string& out) {
  std::vector<std::string> args{results};
  if (!out.empty()) {
    args.push_back("--out");
    args.push_back(out);
  }
  run_python_module("report", args);
}

}  // namespace ouro
