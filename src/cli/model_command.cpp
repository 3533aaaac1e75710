// `ouroboros model FILE`: reads a model file kept by output.checkpoints (io/model_files.hpp), rebuilds its family
// from the specs in the file's header, and prints the model's metrics or samples drawn from it.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/io/model_files.hpp"

namespace ouro {

int model_command(const ModelOptions& options) {
  const ModelFile file = read_model_file(options.file);
  const auto& h = file.header;
  std::unique_ptr<Simulator> simulator;
  try {
    simulator = make_simulator(h.at("truth").get<std::string>(), h.at("model").get<std::string>());
  } catch (const UserError& e) {
    throw UserError(fmt::format("{}: its family cannot be rebuilt here: {}", options.file, e.what()));
  }
  std::vector<std::string> samples;
  if (options.samples > 0) samples = simulator->saved_model_samples(file.model, options.samples, options.seed);
  std::vector<double> values;
  if (options.samples == 0 || options.json) {
    values.assign(simulator->metrics().size(), 0.0);
    simulator->saved_model_metrics(file.model, values);
  }
  if (options.json) {
    nlohmann::json out = {{"header", h}};
    if (!values.empty()) {
      nlohmann::json metrics = nlohmann::json::object();
      for (std::size_t m = 0; m < values.size(); ++m)  // JSON has no NaN or infinity: null, as in results.db
        metrics[simulator->metrics()[m].name] = std::isfinite(values[m]) ? nlohmann::json(values[m]) : nlohmann::json();
      out["metrics"] = metrics;
    }
    if (options.samples > 0) out["samples"] = samples;
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  if (options.samples > 0) {
    for (const auto& line : samples) fmt::print("{}\n", line);
    return 0;
  }
  fmt::print("{}\n", options.file);
  fmt::print("  point {}, regime {}, replicate {}, generation {}, seed {} (ouroboros {})\n", h.value("point", 0),
             h.value("regime", std::string("?")), h.at("replicate").get<std::int64_t>(),
             h.at("generation").get<std::int64_t>(), h.value("seed", std::uint64_t{0}),
             h.value("ouroboros_version", std::string("?")));
  fmt::print("  truth  {}\n  model  {}\nmetrics:\n", h.at("truth").get<std::string>(), h.at("model").get<std::string>());
  std::size_t width = 0;
  for (const auto& m : simulator->metrics()) width = std::max(width, m.name.size());
  for (std::size_t m = 0; m < values.size(); ++m)
    fmt::print("  {:<{}}  {:.8g}\n", simulator->metrics()[m].name, width, values[m]);
  return 0;
}

}  // namespace ouro
