#include "ouroboros/experiment/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <toml++/toml.h>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/spec.hpp"

namespace ouro {

namespace {

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

std::string show(const toml::node& node) {
  std::ostringstream s;
  if (auto str = node.as_string())
    s << '"' << str->get() << '"';
  else if (auto arr = node.as_array())
    s << *arr;
  else if (node.is_table())
    s << "{table}";
  else if (auto v = node.as_integer())
    s << v->get();
  else if (auto v = node.as_floating_point())
    s << v->get();
  else if (auto v = node.as_boolean())
    s << (v->get() ? "true" : "false");
  else
    s << "(value)";
  return printable(s.str());
}

[[noreturn]] void bad(const std::string& key, const toml::node& node, const std::string& allowed) {
  throw UserError(fmt::format("{} = {}: {}", key, show(node), allowed));
}

class Reader {
 public:
  explicit Reader(toml::table& root) : root_(root) {}

  const toml::node* get(const std::string& section, const std::string& key) {
    auto* tbl = root_[section].as_table();
    return tbl ? tbl->get(key) : nullptr;
  }

  std::int64_t integer(const std::string& section, const std::string& key, std::int64_t min_value,
                       std::optional<std::int64_t> fallback) {
    const std::string name = section + "." + key;
    const toml::node* node = get(section, key);
    if (!node) {
      if (!fallback) throw UserError(fmt::format("{} is required (an integer >= {})", name, min_value));
      return *fallback;
    }
    const auto v = node->value_exact<std::int64_t>();
    if (!v || *v < min_value) bad(name, *node, fmt::format("must be an integer >= {}", min_value));
    return *v;
  }

  std::string string(const std::string& section, const std::string& key, std::optional<std::string> fallback) {
    const std::string name = section + "." + key;
    const toml::node* node = get(section, key);
    if (!node) {
      if (!fallback) throw UserError(fmt::format("{} is required (a string)", name));
      return *fallback;
    }
    const auto v = node->value_exact<std::string>();
    if (!v) bad(name, *node, "must be a string");
    return *v;
  }

  bool boolean(const std::string& section, const std::string& key, bool fallback) {
    const toml::node* node = get(section, key);
    if (!node) return fallback;
    const auto v = node->value_exact<bool>();
    if (!v) bad(section + "." + key, *node, "must be true or false");
    return *v;
  }

  std::vector<std::string> strings(const std::string& section, const std::string& key,
                                   std::vector<std::string> fallback) {
    const std::string name = section + "." + key;
    const toml::node* node = get(section, key);
    if (!node) return fallback;
    const auto* arr = node->as_array();
    if (!arr) bad(name, *node, "must be an array of strings");
    std::vector<std::string> out;
    for (const auto& item : *arr) {
      const auto v = item.value_exact<std::string>();
      if (!v) bad(name, *node, "must be an array of strings");
      out.push_back(*v);
    }
    return out;
  }

 private:
  toml::table& root_;
};

void reject_unknown_keys(const toml::table& root) {
  for (auto&& entry : root) {
    const auto& section = entry.first;
    const auto& node = entry.second;
    const auto& keys = config_keys();
    const auto it = std::find_if(keys.begin(), keys.end(), [&](const auto& s) { return s.first == section.str(); });
    if (it == keys.end()) {
      std::vector<std::string> names;
      for (const auto& s : keys) names.push_back("[" + s.first + "]");
      throw UserError(fmt::format("unknown section [{}] (allowed: {})", section.str(), join(names)));
    }
    const auto* tbl = node.as_table();
    if (!tbl) throw UserError(fmt::format("{} must be a table [{}]", section.str(), section.str()));
    for (auto&& [key, value] : *tbl) {
      (void)value;
      if (std::find(it->second.begin(), it->second.end(), key.str()) == it->second.end())
        throw UserError(fmt::format("unknown key {}.{} (allowed in [{}]: {})", section.str(), key.str(),
                                    section.str(), join(it->second)));
    }
  }
}

void apply_override(toml::table& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  const auto dot = assignment.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq)
    throw UserError(fmt::format("--set '{}': expected section.key=value, e.g. experiment.replicates=100", assignment));
  const std::string section = assignment.substr(0, dot);
  const std::string key = assignment.substr(dot + 1, eq - dot - 1);
  const std::string value = assignment.substr(eq + 1);
  // The value is read as TOML (numbers, booleans, arrays, quoted strings); anything else is a bare string.
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value);
  } catch (const toml::parse_error&) {
    parsed.insert_or_assign("v", value);
  }
  if (!root.contains(section)) root.insert(section, toml::table{});
  auto* tbl = root[section].as_table();
  if (!tbl) throw UserError(fmt::format("--set '{}': [{}] is not a table", assignment, section));
  if (key.rfind("family.", 0) == 0 && (section == "truth" || section == "model")) {
    // truth.family.P=v / model.family.P=v: one parameter of the family spec, added or replaced.
    const std::string param = key.substr(7);
    const auto family = tbl->get("family") ? tbl->get("family")->value<std::string>() : std::nullopt;
    if (!family)
      throw UserError(fmt::format("--set '{}': {}.family must be given (as a string) to set one of its parameters",
                                  assignment, section));
    const toml::node& v = *parsed.get("v");
    std::string text;
    if (const auto str = v.value_exact<std::string>())
      text = *str;
    else if (const auto i = v.value_exact<std::int64_t>())
      text = fmt::format("{}", *i);
    else if (const auto d = v.value_exact<double>())
      text = fmt::format("{}", *d);  // the shortest text that reads back as the same double
    else
      throw UserError(fmt::format("--set '{}': a family parameter takes a number or a word", assignment));
    Spec spec = parse_spec(*family);
    const Spec one = parse_spec("x(" + param + "=" + text + ")");
    const auto at = std::find_if(spec.args.begin(), spec.args.end(), [&](const auto& a) { return a.first == param; });
    if (at == spec.args.end())
      spec.args.push_back(one.args.front());
    else
      at->second = one.args.front().second;
    tbl->insert_or_assign("family", spec.to_string());
    return;
  }
  tbl->insert_or_assign(key, *parsed.get("v"));
}

// An empty schedule stands for samples = "real" (filled by bind_samples once the family is known).
SampleSchedule read_samples(Reader& r, std::int64_t generations) {
  const toml::node* node = r.get("experiment", "samples");
  if (!node)
    throw UserError("experiment.samples is required (an integer >= 1, one per generation, or \"real\")");
  if (const auto text = node->value_exact<std::string>()) {
    if (*text != "real")
      bad("experiment.samples", *node, "must be an integer >= 1, an array of them, or \"real\"");
    return SampleSchedule();
  }
  if (const auto v = node->value_exact<std::int64_t>()) {
    if (*v < 1) bad("experiment.samples", *node, "must be an integer >= 1, or an array of them");
    return SampleSchedule(generations, *v);
  }
  const auto* arr = node->as_array();
  if (!arr) bad("experiment.samples", *node, "must be an integer >= 1, or an array of them");
  std::vector<std::int64_t> n;
  for (const auto& item : *arr) {
    const auto v = item.value_exact<std::int64_t>();
    if (!v || *v < 1) bad("experiment.samples", *node, "every entry must be an integer >= 1");
    n.push_back(*v);
  }
  if (static_cast<std::int64_t>(n.size()) != generations)
    bad("experiment.samples", *node,
        fmt::format("a list must give one n per generation ({} entries for generations = {})", n.size(), generations));
  return SampleSchedule(std::move(n));
}

}  // namespace

const std::vector<std::pair<std::string, std::vector<std::string>>>& config_keys() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> keys{
      {"experiment",
       {"generations", "replicates", "seed", "samples", "regimes", "kernel", "threads", "until", "scheduler",
        "checkpoint_every", "memory_limit"}},
      {"truth", {"family"}},
      {"model", {"family"}},
      {"metrics", {"select", "thresholds", "first"}},
      {"output", {"dir", "trajectories", "forgetting", "table", "checkpoints"}},
      {"figure", {"metrics", "x", "generations", "x_scale", "y_scale", "band"}},
  };
  return keys;
}

// By hand, not std::regex: libstdc++'s regex recurses per character and overflows the stack on long input.
Threshold parse_threshold(const std::string& text, const std::string& key) {
  const auto fail = [&] {
    throw UserError(fmt::format("{}: '{}' is not of the form 'metric op number' with op one of "
                                "< <= > >= == != and a number or inf (e.g. \"sigma > 0.1\")", key, printable(text)));
  };
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::size_t i = 0;
  const auto skip = [&] {
    while (i < text.size() && space(text[i])) ++i;
  };
  skip();
  const std::size_t name_start = i;
  if (i == text.size() || !(std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '_')) fail();
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
  Threshold t;
  t.metric = text.substr(name_start, i - name_start);
  skip();
  for (const char* op : {"<=", ">=", "==", "!=", "<", ">"}) {
    const std::string_view o(op);
    if (text.compare(i, o.size(), o) == 0) {
      t.op = o;
      i += o.size();
      break;
    }
  }
  if (t.op.empty()) fail();
  skip();
  const std::size_t number_start = i;
  while (i < text.size() && !space(text[i])) ++i;
  const std::string number = text.substr(number_start, i - number_start);
  skip();
  if (number.empty() || i != text.size()) fail();
  char* end = nullptr;
  errno = 0;
  t.value = std::strtod(number.c_str(), &end);
  // inf is allowed ("kl < inf": every true symbol still alive); NaN and overflowing numbers are not.
  if (end != number.c_str() + number.size() || errno == ERANGE || std::isnan(t.value)) fail();
  return t;
}

std::string first_passage_label(const Threshold& t) { return "first(" + t.label() + ")"; }

void check_thresholds(const std::vector<Threshold>& thresholds, const std::vector<MetricInfo>& metrics,
                      const std::string& key) {
  for (const auto& t : thresholds) {
    if (std::none_of(metrics.begin(), metrics.end(), [&](const MetricInfo& m) { return m.name == t.metric; })) {
      std::vector<std::string> names;
      for (const auto& m : metrics) names.push_back(m.name);
      throw UserError(fmt::format("{}: '{}' uses unknown metric '{}' (this family has: {})", key, t.label(),
                                  t.metric, join(names)));
    }
  }
}

void bind_samples(ExperimentConfig& config, const Simulator& simulator) {
  if (!config.samples_real || config.samples.generations() > 0) return;
  const std::optional<std::int64_t> n = simulator.real_sample_size();
  if (!n)
    throw UserError(fmt::format("experiment.samples = \"real\": the truth {} is a parametric law with no real data "
                                "set behind it; give n as an integer",
                                config.truth_family));
  config.samples = SampleSchedule(config.generations, *n);
  config.resolved["experiment"]["samples"] = *n;
  config.resolved["experiment"]["samples_from"] = "real";
}

void check_against_family(const ExperimentConfig& config, const Simulator& simulator) {
  if (config.samples.generations() == 0)
    throw std::logic_error("experiment.samples = \"real\" must be bound to the family (bind_samples) first");
  check_thresholds(config.thresholds, simulator.metrics());
  check_thresholds(config.first_passages, simulator.metrics(), "metrics.first");
  if (config.until) check_thresholds({*config.until}, simulator.metrics(), "experiment.until");
  if (config.model_files && !simulator.checkpointable())
    throw UserError(fmt::format("output.checkpoints = true: the models of {} cannot be saved (`ouroboros families` "
                                "lists whether a family's chains can be checkpointed)",
                                config.truth_family.substr(0, config.truth_family.find('('))));
  const auto& metrics = simulator.metrics();
  for (const auto& name : config.selected_metrics)
    if (std::none_of(metrics.begin(), metrics.end(), [&](const MetricInfo& m) { return m.name == name; })) {
      std::vector<std::string> names;
      for (const auto& m : metrics) names.push_back(m.name);
      throw UserError(fmt::format("metrics.select: unknown metric '{}' (this family has: {})", name, join(names)));
    }
  for (const auto& name : config.figure_metrics) {
    const bool metric = std::any_of(metrics.begin(), metrics.end(), [&](const MetricInfo& m) { return m.name == name; });
    const bool threshold = std::any_of(config.thresholds.begin(), config.thresholds.end(),
                                       [&](const Threshold& t) { return t.label() == name; });
    if (!metric && !threshold) {
      std::vector<std::string> names;
      for (const auto& m : metrics) names.push_back(m.name);
      for (const auto& t : config.thresholds) names.push_back(t.label());
      throw UserError(fmt::format("figure.metrics: unknown metric '{}' (this run has: {})", name, join(names)));
    }
  }
  for (const auto& regime : config.regimes) {
    // Counts and sums of counts are int64 and doubles: beyond 2^53 a double no longer counts exactly, and the
    // pools of accumulate and grow overflow 64-bit integers long before a user notices. Refused, not wrapped.
    if (const long double held = max_held_samples(regime, config.samples); held > kMaxHeldSamples)
      throw UserError(fmt::format(
          "experiment.samples: under {} a generation holds {:.4g} samples (generation {}), more than {:.4g} (2^53, "
          "the most this version counts exactly); lower experiment.samples or experiment.generations",
          regime.name(), static_cast<double>(held), max_held_generation(regime, config.samples),
          static_cast<double>(kMaxHeldSamples)));
    if (regime.kind == RegimeKind::kAccumulateSubsample && regime.subsample_size > config.samples.at(1))
      throw UserError(fmt::format(
          "experiment.regimes: {} draws a subsample larger than the pool at generation 1 ({} samples); "
          "use size <= {}", regime.name(), config.samples.at(1), config.samples.at(1)));
    if (regime.kind == RegimeKind::kKeepReal)
      for (std::int64_t k = 2; k <= (config.samples.constant() ? std::min<std::int64_t>(2, config.samples.generations())
                                                                : config.samples.generations());
           ++k) {
        const auto kept = std::llround(regime.real_fraction * static_cast<double>(config.samples.at(k)));
        if (kept > config.samples.at(1))
          throw UserError(fmt::format(
              "experiment.regimes: {} keeps {} real samples at generation {}, more than the {} of the real batch; "
              "use a smaller fraction or a larger n_1", regime.name(), kept, k, config.samples.at(1)));
      }
    simulator.validate(regime, config.samples);
  }
}

ExperimentConfig parse_config(const std::string& toml_text, const std::string& source_name,
                              const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    throw UserError(fmt::format("{}:{}:{}: malformed TOML: {}", source_name, e.source().begin.line,
                                e.source().begin.column, e.description()));
  }
  // Whole values first, then single family parameters (truth.family.P=v), which edit the family spec in place.
  const auto family_parameter = [](const std::string& o) {
    return o.rfind("truth.family.", 0) == 0 || o.rfind("model.family.", 0) == 0;
  };
  for (const bool parameters : {false, true})
    for (const auto& o : overrides)
      if (family_parameter(o) == parameters) apply_override(root, o);
  reject_unknown_keys(root);
  Reader r(root);
  ExperimentConfig c;
  c.generations = r.integer("experiment", "generations", 1, std::nullopt);
  if (c.generations > kMaxGenerations)
    bad("experiment.generations", *r.get("experiment", "generations"),
        fmt::format("must be at most {} (a run that long is weeks of computation; split it)", kMaxGenerations));
  c.replicates = r.integer("experiment", "replicates", 1, 100);
  c.seed = static_cast<std::uint64_t>(r.integer("experiment", "seed", 0, 1));
  c.samples = read_samples(r, c.generations);
  c.samples_real = c.samples.generations() == 0;
  for (const auto& text : r.strings("experiment", "regimes", {"replace"})) {
    try {
      c.regimes.push_back(parse_regime(text));
    } catch (const UserError& e) {
      rethrow_with_context(e, "experiment.regimes");
    }
  }
  if (c.regimes.empty()) throw UserError("experiment.regimes = []: give at least one regime");
  for (std::size_t i = 0; i < c.regimes.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (c.regimes[i].name() == c.regimes[j].name())
        throw UserError(fmt::format("experiment.regimes: '{}' is listed twice", c.regimes[i].name()));
  const std::string kernel = r.string("experiment", "kernel", "statistics");
  if (kernel != "statistics" && kernel != "sample")
    bad("experiment.kernel", *r.get("experiment", "kernel"), "must be \"statistics\" or \"sample\"");
  c.kernel = kernel == "statistics" ? KernelKind::kStatistics : KernelKind::kSample;
  const std::int64_t threads = r.integer("experiment", "threads", 0, 0);
  if (threads > 1024) bad("experiment.threads", *r.get("experiment", "threads"), "must be between 0 (all cores) and 1024");
  c.threads = static_cast<unsigned>(threads);
  const std::string scheduler = r.string("experiment", "scheduler", "auto");
  if (scheduler != "auto" && scheduler != "generation" && scheduler != "replicate")
    bad("experiment.scheduler", *r.get("experiment", "scheduler"), "must be \"auto\", \"generation\" or \"replicate\"");
  c.scheduler = scheduler == "generation" ? SchedulerKind::kGeneration
                : scheduler == "replicate"  ? SchedulerKind::kReplicate
                                            : SchedulerKind::kAuto;
  c.checkpoint_every = r.integer("experiment", "checkpoint_every", 0, 1);
  if (const toml::node* node = r.get("experiment", "memory_limit")) {
    const auto v = node->value<double>();
    if (!v || !(*v > 0) || !std::isfinite(*v)) bad("experiment.memory_limit", *node, "must be a number of GiB > 0");
    c.memory_limit_gib = *v;
  }
  c.truth_family = r.string("truth", "family", std::nullopt);
  c.model_family = r.string("model", "family", std::nullopt);
  for (const auto& text : r.strings("metrics", "thresholds", {})) c.thresholds.push_back(parse_threshold(text));
  if (r.get("experiment", "until")) c.until = parse_threshold(r.string("experiment", "until", ""), "experiment.until");
  for (const auto& text : r.strings("metrics", "first", {}))
    c.first_passages.push_back(parse_threshold(text, "metrics.first"));
  c.selected_metrics = r.strings("metrics", "select", {});
  for (std::size_t i = 0; i < c.selected_metrics.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (c.selected_metrics[i] == c.selected_metrics[j])
        throw UserError(fmt::format("metrics.select: '{}' is listed twice", c.selected_metrics[i]));
  const std::string stem = std::filesystem::path(source_name).stem().string();
  c.output_dir = r.string("output", "dir", "results/" + (stem.empty() ? std::string("experiment") : stem));
  if (c.output_dir.empty()) throw UserError("output.dir = \"\": give a directory");
  if (const toml::node* node = r.get("output", "trajectories")) {
    if (const auto b = node->value_exact<bool>())
      c.trajectories_every = *b ? 1 : 0;
    else if (const auto k = node->value_exact<std::int64_t>(); k && *k >= 1)
      c.trajectories_every = *k;
    else
      bad("output.trajectories", *node, "must be true, false, or an integer k >= 1 (every k-th generation)");
  }
  c.forgetting = r.boolean("output", "forgetting", true);
  c.model_files = r.boolean("output", "checkpoints", false);
  c.figure_metrics = r.strings("figure", "metrics", {});
  for (const auto& [key, field] : {std::pair{"x_scale", &c.figure_x_scale}, std::pair{"y_scale", &c.figure_y_scale}}) {
    *field = r.string("figure", key, "auto");
    if (*field != "auto" && *field != "linear" && *field != "log")
      bad(std::string("figure.") + key, *r.get("figure", key), "must be auto, linear or log");
  }
  c.figure_x = r.string("figure", "x", "generation");
  if (c.figure_x.empty()) bad("figure.x", *r.get("figure", "x"), "must be \"generation\" or a swept key");
  if (const toml::node* node = r.get("figure", "generations")) {
    const auto* arr = node->as_array();
    if (!arr) bad("figure.generations", *node, "must be an array of generations");
    for (const auto& item : *arr) {
      const auto v = item.value_exact<std::int64_t>();
      if (!v || *v < 0 || *v > c.generations)
        bad("figure.generations", *node, fmt::format("every entry must be a generation in 0..{}", c.generations));
      c.figure_generations.push_back(*v);
    }
  }
  c.figure_band = r.string("figure", "band", "se");
  if (c.figure_band != "se" && c.figure_band != "quantile")
    bad("figure.band", *r.get("figure", "band"), "must be se (mean +- 2 se) or quantile (q05-q95)");
  if (const toml::node* node = r.get("output", "table")) {
    const auto* arr = node->as_array();
    if (!arr) bad("output.table", *node, "must be an array of generations");
    for (const auto& item : *arr) {
      const auto v = item.value_exact<std::int64_t>();
      if (!v || *v < 0) bad("output.table", *node, "every entry must be a generation >= 0");
      // Past G: dropped, so that a shorter run (--set experiment.generations=2) needs no edit of the table.
      (*v > c.generations ? c.table_dropped : c.table_generations).push_back(*v);
    }
  }
  std::vector<std::string> regime_names, threshold_labels, first_labels;
  for (const auto& reg : c.regimes) regime_names.push_back(reg.name());
  for (const auto& t : c.thresholds) threshold_labels.push_back(t.label());
  for (const auto& t : c.first_passages) first_labels.push_back(t.label());
  std::vector<std::int64_t> n_list;
  if (!c.samples_real && !c.samples.constant())
    for (std::int64_t k = 1; k <= c.generations; ++k) n_list.push_back(c.samples.at(k));
  c.resolved = {
      {"experiment",
       {{"generations", c.generations}, {"replicates", c.replicates}, {"seed", c.seed},
        {"samples", c.samples_real         ? nlohmann::json("real")
                    : c.samples.constant() ? nlohmann::json(c.samples.at(1))
                                           : nlohmann::json(n_list)},
        {"regimes", regime_names}, {"kernel", kernel}, {"threads", c.threads}, {"scheduler", scheduler},
        {"checkpoint_every", c.checkpoint_every}, {"memory_limit", c.memory_limit_gib}}},
      {"truth", {{"family", c.truth_family}}},
      {"model", {{"family", c.model_family}}},
      {"metrics", {{"select", c.selected_metrics}, {"thresholds", threshold_labels}, {"first", first_labels}}},
      {"output",
       {{"dir", c.output_dir}, {"trajectories", c.trajectories_every}, {"forgetting", c.forgetting},
        {"table", c.table_generations}, {"checkpoints", c.model_files}}},
      {"figure",
       {{"metrics", c.figure_metrics}, {"x", c.figure_x}, {"generations", c.figure_generations},
        {"x_scale", c.figure_x_scale}, {"y_scale", c.figure_y_scale},
        {"band", c.figure_band}}},
  };
  if (c.until) c.resolved["experiment"]["until"] = c.until->label();
  return c;
}

std::string read_experiment_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(fmt::format("cannot read experiment file '{}'", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ExperimentConfig load_config(const std::string& path, const std::vector<std::string>& overrides) {
  return parse_config(read_experiment_file(path), path, overrides);
}

}  // namespace ouro
