#pragma once
// Spec strings: `name(key=value, ...)`, e.g. `categorical(estimator=add_constant, beta=0.5)` or
// `categorical(dist=zipf, m=1000, a=1.1, b=0)`. Values are numbers, words (bare or quoted) or lists
// `[v, ...]`. Parsing is purely syntactic; SpecReader checks names, types and ranges against a family's
// declared parameters and reports unknown keys.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ouro {

struct SpecValue {
  enum class Kind { kNumber, kWord, kList };
  Kind kind = Kind::kWord;
  double number = 0;
  std::string text;  // the word, or the number as written
  std::vector<SpecValue> items;
  std::string to_string() const;
};

struct Spec {
  std::string name;
  std::vector<std::pair<std::string, SpecValue>> args;  // in the order written; keys are unique
  std::string to_string() const;
};

Spec parse_spec(std::string_view text);  // throws UserError naming the position and what was expected

// One declared parameter: its name, its default as text ("" when required or absent by default), and help.
struct ParamInfo {
  std::string name;
  std::string default_text;
  std::string help;
};

class SpecReader {
 public:
  // `what` names the spec in messages (e.g. "gaussian truth"); params lists every key the spec may use.
  SpecReader(Spec spec, std::string what, std::vector<ParamInfo> params);

  bool has(std::string_view key) const;
  bool has_number(std::string_view key) const;  // present and written as a number
  double number(std::string_view key, std::optional<double> fallback = std::nullopt);
  double positive(std::string_view key, std::optional<double> fallback = std::nullopt);
  double probability(std::string_view key, std::optional<double> fallback = std::nullopt);
  std::int64_t integer(std::string_view key, std::int64_t min_value, std::optional<std::int64_t> fallback = std::nullopt);
  bool flag(std::string_view key, bool fallback);
  std::string word(std::string_view key, const std::vector<std::string>& allowed,
                   std::optional<std::string> fallback = std::nullopt);
  std::string text(std::string_view key, std::optional<std::string> fallback = std::nullopt);
  std::vector<double> numbers(std::string_view key);  // a list, or one number as a list of one

  // Throws for any key that was not read: unknown keys are errors, never silently ignored.
  void finish() const;
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  // A required parameter is absent. A misspelt one (fresh_mix(fraction=...)) is reported first, as unknown with
  // the allowed names, since it is the likelier mistake.
  [[noreturn]] void missing(std::string_view key) const;

 private:
  const SpecValue* find(std::string_view key);
  const SpecValue& required(std::string_view key);

  Spec spec_;  // copies: a reader may be given temporaries, and both are small
  std::string what_;
  std::vector<ParamInfo> params_;
  std::vector<std::string> used_;
};

}  // namespace ouro
