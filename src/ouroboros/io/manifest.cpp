#include "ouroboros/io/manifest.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "ouroboros/version.hpp"

namespace ouro {

nlohmann::json machine_description() {
  nlohmann::json m;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) m["hostname"] = host;
  struct utsname u {};
  if (::uname(&u) == 0) m["os"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
  m["hardware_threads"] = std::thread::hardware_concurrency();
  m["compiler"] = std::string("g++ ") + __VERSION__;
  return m;
}

nlohmann::json make_manifest(const ExperimentConfig& config, const Simulator& simulator, const RunReport& report,
                             double wall_seconds, const std::vector<std::string>& files,
                             const std::vector<std::string>& command_line) {
  nlohmann::json regimes = nlohmann::json::array();
  for (const auto& r : report.regimes) {
    nlohmann::json theory = nlohmann::json::object();
    for (const auto& [metric, cited] : r.theory_sources)
      for (const auto& c : cited) theory[metric].push_back({{"kind", c.kind}, {"source", c.source}});
    nlohmann::json j{{"regime", r.regime}, {"kernel", kernel_name(r.kernel)}, {"theory", theory}};
    if (!r.kernel_note.empty()) j["kernel_note"] = r.kernel_note;
    regimes.push_back(j);
  }
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return {
      {"ouroboros_version", kVersion},
      {"git_commit", kGitHash},
      {"finished_at", stamp},
      {"command_line", command_line},
      {"config", config.resolved},
      {"seed", config.seed},
      {"family", simulator.describe()},
      {"metrics", report.metrics},
      {"kernel_requested", kernel_name(config.kernel)},
      {"regimes", regimes},
      {"threads", report.threads},
      {"wall_seconds", wall_seconds},
      {"machine", machine_description()},
      {"files", files},
  };
}

}  // namespace ouro
