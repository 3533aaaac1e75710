#include "ouroboros/experiment/plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <sstream>
#include <toml++/toml.h>

#include "ouroboros/core/error.hpp"

namespace ouro {

namespace {

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string toml_text(const toml::node& node) {
  std::ostringstream out;
  node.visit([&](const auto& v) { out << v; });
  return out.str();
}

nlohmann::json to_json(const toml::node& node) {
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return i->get();
  if (const auto* f = node.as_floating_point()) return f->get();
  if (const auto* b = node.as_boolean()) return b->get();
  if (const auto* a = node.as_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : *a) out.push_back(to_json(item));
    return out;
  }
  return toml_text(node);
}

bool known_key(const std::string& key) {
  // One parameter of a family spec: truth.family.P or model.family.P.
  for (const char* prefix : {"truth.family.", "model.family."})
    if (key.rfind(prefix, 0) == 0 && key.size() > std::string_view(prefix).size()) return true;
  const auto dot = key.find('.');
  if (dot == std::string::npos) return false;
  for (const auto& [section, keys] : config_keys())
    if (section == key.substr(0, dot))
      return std::find(keys.begin(), keys.end(), key.substr(dot + 1)) != keys.end();
  return false;
}

// One axis of the grid: one key, or a zipped group of keys, with its values per step.
struct Axis {
  std::vector<std::string> keys;
  std::vector<std::vector<const toml::node*>> steps;  // steps[i][j]: value of keys[j] at step i
};

// figure.x: "generation" or a swept key, in full or by its last part (model.family.lambda or lambda).
void check_figure_x(const std::string& x, const std::vector<std::string>& swept) {
  if (x == "generation") return;
  if (std::any_of(swept.begin(), swept.end(),
                  [&](const std::string& k) { return k == x || k.ends_with("." + x); }))
    return;
  throw UserError(swept.empty()
                      ? fmt::format("figure.x = \"{}\": must be \"generation\" (the file has no [sweep])", x)
                      : fmt::format("figure.x = \"{}\": must be \"generation\" or a swept key ({})", x,
                                    fmt::join(swept, ", ")));
}

}  // namespace

nlohmann::json results_identity(const ExperimentConfig& config) {
  nlohmann::json j = config.resolved;
  // Where the files go, the table shown, the model files kept, the thread count and the scheduler change no record;
  // which records are kept (output.trajectories, output.forgetting) does.
  if (j.contains("output"))
    for (const char* key : {"dir", "table", "checkpoints"}) j["output"].erase(key);
  // The scheduler and its checkpoints change how the work is cut, never the records: a run may be resumed with
  // another scheduler.
  if (j.contains("experiment"))
    for (const char* key : {"threads", "scheduler", "checkpoint_every", "memory_limit"}) j["experiment"].erase(key);
  j.erase("figure");  // how it is drawn
  return j;
}

nlohmann::json Plan::identity() const {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : points) j.push_back(results_identity(p.config));
  return j;
}

Plan parse_plan(const std::string& toml_text_in, const std::string& source_name,
                const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(toml_text_in, source_name);
  } catch (const toml::parse_error& e) {
    throw UserError(fmt::format("{}:{}:{}: malformed TOML: {}", source_name, e.source().begin.line,
                                e.source().begin.column, e.description()));
  }
  Plan plan;
  const toml::node* sweep_node = root.get("sweep");
  if (!sweep_node) {
    Point p;
    p.config = parse_config(toml_text_in, source_name, overrides);
    p.values = nlohmann::json::object();
    p.id = fmt::format("{:016x}", fnv1a(results_identity(p.config).dump()));
    check_figure_x(p.config.figure_x, {});
    plan.points.push_back(std::move(p));
    return plan;
  }
  if (!sweep_node->as_table()) throw UserError("sweep must be a table [sweep]");
  // The lists below point into the file's own [sweep] table (which keeps the keys' source positions, hence
  // their file order); the points are parsed from a copy of the file without it.
  const toml::table* sweep = sweep_node->as_table();
  // Zipped groups first, so that their keys are not taken as grid axes of their own.
  std::vector<std::vector<std::string>> groups;
  if (const toml::node* zip = sweep->get("zip")) {
    const auto* outer = zip->as_array();
    if (!outer) throw UserError("sweep.zip must be a list of key lists, e.g. [[\"truth.family\", \"model.family\"]]");
    for (const auto& g : *outer) {
      const auto* inner = g.as_array();
      if (!inner || inner->size() < 2)
        throw UserError("sweep.zip: each group must list at least two swept keys, e.g. [\"truth.family\", \"model.family\"]");
      std::vector<std::string> keys;
      for (const auto& k : *inner) {
        const auto s = k.value<std::string>();
        if (!s) throw UserError("sweep.zip: the keys must be strings");
        keys.push_back(*s);
      }
      groups.push_back(keys);
    }
  }
  if (const toml::node* seed = sweep->get("seed")) {
    const auto s = seed->value<std::string>();
    if (!s || (*s != "shared" && *s != "per_point"))
      throw UserError(fmt::format("sweep.seed = {}: must be \"shared\" or \"per_point\"", toml_text(*seed)));
    plan.seed_mode = *s;
  }
  std::vector<std::pair<std::string, const toml::array*>> lists;
  // File order: toml++ keeps a table's keys sorted, so the order is taken from the keys' source positions.
  std::vector<std::pair<toml::source_position, std::string>> ordered;
  for (auto&& [key, node] : *sweep) {
    const std::string k(key.str());
    if (k == "zip" || k == "seed") continue;
    if (node.is_table())
      throw UserError(fmt::format("sweep: \"{}\" is a table; write a swept key in quotes, e.g. \"{}.samples\" = [10, 100]",
                                  k, k));
    if (!known_key(k))
      throw UserError(fmt::format("sweep: unknown key \"{}\" (a swept key is section.key, e.g. \"experiment.samples\"; "
                                  "see `ouroboros run --help`)", k));
    if (k.rfind("output.", 0) == 0)
      throw UserError(fmt::format("sweep: \"{}\" cannot be swept: every point writes into one output directory", k));
    const auto* arr = node.as_array();
    if (!arr) throw UserError(fmt::format("sweep: \"{}\" must be a list of values", k));
    if (arr->empty()) throw UserError(fmt::format("sweep: \"{}\" = []: give at least one value", k));
    for (const auto& o : overrides)
      if (o.rfind(k + "=", 0) == 0)
        throw UserError(fmt::format("--set {}: the key is swept in [sweep]; change the sweep instead", o));
    ordered.emplace_back(node.source().begin, k);
    lists.emplace_back(k, arr);
  }
  if (lists.empty()) throw UserError("[sweep] lists no key to sweep");
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return a.first.line != b.first.line ? a.first.line < b.first.line : a.first.column < b.first.column;
  });
  const auto list_of = [&](const std::string& k) {
    return std::find_if(lists.begin(), lists.end(), [&](const auto& l) { return l.first == k; })->second;
  };
  std::vector<Axis> axes;
  std::vector<std::string> used;
  for (const auto& entry : ordered) {
    const std::string& key = entry.second;
    if (std::find(used.begin(), used.end(), key) != used.end()) continue;
    const auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return std::find(g.begin(), g.end(), key) != g.end();
    });
    Axis axis;
    axis.keys = group == groups.end() ? std::vector<std::string>{key} : *group;
    for (const auto& k : axis.keys) {
      if (std::none_of(lists.begin(), lists.end(), [&](const auto& l) { return l.first == k; }))
        throw UserError(fmt::format("sweep.zip: \"{}\" is not a swept key of [sweep]", k));
      if (list_of(k)->size() != list_of(axis.keys[0])->size())
        throw UserError(fmt::format("sweep.zip: \"{}\" has {} values but \"{}\" has {}; zipped lists need equal "
                                    "lengths", k, list_of(k)->size(), axis.keys[0], list_of(axis.keys[0])->size()));
      used.push_back(k);
    }
    for (std::size_t i = 0; i < list_of(axis.keys[0])->size(); ++i) {
      std::vector<const toml::node*> step;
      for (const auto& k : axis.keys) step.push_back(list_of(k)->get(i));
      axis.steps.push_back(step);
    }
    axes.push_back(std::move(axis));
  }
  for (const auto& g : groups)
    for (const auto& k : g)
      if (std::find(used.begin(), used.end(), k) == used.end())
        throw UserError(fmt::format("sweep.zip: \"{}\" is not a swept key of [sweep]", k));
  for (const auto& a : axes)
    for (const auto& k : a.keys) plan.swept_keys.push_back(k);

  toml::table without_sweep = root;
  without_sweep.erase("sweep");
  std::ostringstream base;
  base << without_sweep;
  // The experiment seed that per-point seeds derive from, read once.
  const std::uint64_t base_seed =
      plan.seed_mode == "per_point" ? parse_config(base.str(), source_name, overrides).seed : 0;
  // Mixed-radix count over the axes, the first axis slowest.
  std::vector<std::size_t> at(axes.size(), 0);
  for (std::size_t index = 0;; ++index) {
    Point p;
    p.index = index;
    p.values = nlohmann::json::object();
    std::vector<std::string> point_overrides = overrides;
    for (std::size_t a = 0; a < axes.size(); ++a)
      for (std::size_t j = 0; j < axes[a].keys.size(); ++j) {
        const toml::node& v = *axes[a].steps[at[a]][j];
        point_overrides.push_back(axes[a].keys[j] + "=" + toml_text(v));
        p.values[axes[a].keys[j]] = to_json(v);
        const auto& j_value = p.values[axes[a].keys[j]];
        p.text += fmt::format("{}{}={}", p.text.empty() ? "" : ", ", axes[a].keys[j],
                              j_value.is_string() ? j_value.get<std::string>() : j_value.dump());
      }
    if (plan.seed_mode == "per_point") {
      // A seed of the point's own, from its swept values: stable when other values are added to the sweep.
      const std::uint64_t derived = fnv1a(fmt::format("{}|{}", base_seed, p.values.dump())) >> 12;  // < 2^52
      point_overrides.push_back(fmt::format("experiment.seed={}", derived));
    }
    try {
      p.config = parse_config(base.str(), source_name, point_overrides);
    } catch (const UserError& e) {
      throw UserError(fmt::format("sweep point {} ({}): {}", index, p.label(), e.what()));
    }
    p.id = fmt::format("{:016x}", fnv1a(results_identity(p.config).dump()));
    if (index == 0) check_figure_x(p.config.figure_x, plan.swept_keys);
    plan.points.push_back(std::move(p));
    std::size_t a = axes.size();
    while (a > 0) {
      --a;
      if (++at[a] < axes[a].steps.size()) break;
      at[a] = 0;
      if (a == 0) return plan;
    }
    if (axes.empty()) return plan;
  }
}

Plan load_plan(const std::string& path, const std::vector<std::string>& overrides) {
  return parse_plan(read_experiment_file(path), path, overrides);
}

}  // namespace ouro
