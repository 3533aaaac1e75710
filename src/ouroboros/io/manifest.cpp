#include "ouroboros/io/manifest.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "ouroboros/core/stream_layout.hpp"
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

nlohmann::json make_manifest(const Plan& plan, const nlohmann::json& units, double wall_seconds,
                             const std::vector<std::string>& files, const std::vector<std::string>& command_line) {
  // Per point: its regimes (kernel, any fallback note, the theory shown) and its family's conventions.
  std::vector<nlohmann::json> regimes(plan.points.size(), nlohmann::json::array()), family(plan.points.size());
  std::vector<nlohmann::json> config(plan.points.size());
  for (const auto& p : plan.points) config[p.index] = p.config.resolved;
  std::int64_t threads = 1;
  for (const auto& u : units) {
    const auto p = u["point"].get<std::size_t>();
    nlohmann::json j{{"regime", u["regime"]}, {"kernel", u["kernel"]}, {"theory", u["theory"]}};
    if (u.contains("kernel_note")) j["kernel_note"] = u["kernel_note"];
    if (u.contains("stopped_at")) j["stopped_at"] = u["stopped_at"];
    regimes[p].push_back(std::move(j));
    family[p] = u["family"];
    config[p] = u["config"];
    threads = std::max(threads, u["threads"].get<std::int64_t>());
  }
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  const ExperimentConfig& first = plan.points.front().config;
  nlohmann::json m{
      {"ouroboros_version", kVersion},
      {"git_commit", kGitHash},
      {"stream_layout", kStreamLayout},
      {"finished_at", stamp},
      {"command_line", command_line},
      {"config", config.front()},
      {"seed", first.seed},
      {"family", family.front()},
      {"kernel_requested", kernel_name(first.kernel)},
      {"regimes", regimes.front()},
      {"threads", threads},
      {"wall_seconds", wall_seconds},
      {"machine", machine_description()},
      {"files", files},
  };
  if (plan.sweep()) {
    m["sweep"] = {{"keys", plan.swept_keys}, {"seed", plan.seed_mode}};
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : plan.points)
      points.push_back({{"point", p.index}, {"id", p.id}, {"values", p.values}, {"seed", p.config.seed},
                        {"config", config[p.index]}, {"family", family[p.index]}, {"regimes", regimes[p.index]}});
    m["points"] = std::move(points);
  } else {
    m["point_id"] = plan.points.front().id;
  }
  return m;
}

}  // namespace ouro
