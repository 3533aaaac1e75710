#pragma once
// Spec strings: `name(key=value, ...)`, e.g. `categorical(estimator=add_constant, beta=0.5)` or
// `categorical(dist=zipf, m=1000, a=1.1, b=0)`. Values are numbers, words (bare or quoted) or lists
// `[v, ...]`. Parsing is purely syntactic; SpecReader checks names, types and ranges against a family's
// declared parameters and reports unknown keys.
#include <cstdint>
#include <initializer_list>
#include <limits>
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

// What a declared parameter's value is. kAny: an untyped declaration (family contract v1): the family's reader
// call says what it expects. Typed declarations are the single source of a parameter's type, default, range and
// allowed words: SpecReader's one-argument getters read them, and `ouroboros families` (--json) prints them.
enum class ParamType { kAny, kNumber, kInteger, kWord, kNumberOrWord, kText, kFlag, kNumbers };
std::string_view param_type_name(ParamType type);  // "number", "integer", "word", "number or word", ...

// One declared parameter: its name, its default as text ("" when required, or when the default depends on other
// values: then `computed_default` says on what), and help. Build typed ones with the param:: functions below.
struct ParamInfo {
  ParamInfo() = default;
  // An untyped declaration (contract v1): {"name", "default", "help"}.
  ParamInfo(std::string name_, std::string default_text_, std::string help_)
      : name(std::move(name_)), default_text(std::move(default_text_)), help(std::move(help_)) {}

  std::string name;
  std::string default_text;
  std::string help;
  ParamType type = ParamType::kAny;
  std::vector<std::string> words;  // kWord, kNumberOrWord: the allowed words
  double min = -std::numeric_limits<double>::infinity();  // range of a number, integer or list item
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  bool max_exclusive = false;
  std::string computed_default;  // e.g. "the truth's k"

  bool required() const { return default_text.empty() && computed_default.empty(); }
  bool in_range(double x) const;
  std::string range_text() const;  // "> 0", ">= 1", "in (0, 1]"; "" when unbounded
  // Range modifiers, for declarations: param::number("sd", "1", "...").above(0).
  ParamInfo at_least(double x) &&;
  ParamInfo above(double x) &&;
  ParamInfo at_most(double x) &&;
  ParamInfo below(double x) &&;
  ParamInfo computed(std::string what) &&;
};

namespace param {
ParamInfo number(std::string name, std::string default_text, std::string help);
ParamInfo positive(std::string name, std::string default_text, std::string help);     // > 0
ParamInfo probability(std::string name, std::string default_text, std::string help);  // in [0, 1]
ParamInfo integer(std::string name, std::string default_text, std::string help);
ParamInfo word(std::string name, std::vector<std::string> words, std::string default_text, std::string help);
// A number (in the declared range) or one of the words, e.g. kde's bandwidth = scott | silverman | h > 0.
ParamInfo number_or_word(std::string name, std::vector<std::string> words, std::string default_text, std::string help);
ParamInfo text(std::string name, std::string default_text, std::string help);
ParamInfo flag(std::string name, bool default_value, std::string help);
ParamInfo numbers(std::string name, std::string default_text, std::string help);  // a list, or one number
}  // namespace param

class SpecReader {
 public:
  // `what` names the spec in messages (e.g. "gaussian truth"); params lists every key the spec may use.
  SpecReader(Spec spec, std::string what, std::vector<ParamInfo> params);

  bool has(std::string_view key) const;
  bool has_number(std::string_view key) const;  // present and written as a number

  // As declared (typed declarations): the value's type, range and allowed words are checked against the
  // declaration, and an absent key takes the declared default (UserError when the parameter is required). With an
  // untyped declaration, number() and text() require the key and integer() takes any integer.
  double number(std::string_view key);
  std::int64_t integer(std::string_view key);
  std::string word(std::string_view key);
  bool flag(std::string_view key);
  std::string text(std::string_view key);
  std::vector<double> numbers(std::string_view key);  // a list, or one number as a list of one

  // Contract v1 getters: the call states the range, the allowed words and the fallback.
  double number(std::string_view key, std::optional<double> fallback);
  double positive(std::string_view key, std::optional<double> fallback = std::nullopt);
  double probability(std::string_view key, std::optional<double> fallback = std::nullopt);
  std::int64_t integer(std::string_view key, std::int64_t min_value, std::optional<std::int64_t> fallback = std::nullopt);
  bool flag(std::string_view key, bool fallback);
  std::string word(std::string_view key, const std::vector<std::string>& allowed,
                   std::optional<std::string> fallback = std::nullopt);
  std::string text(std::string_view key, std::optional<std::string> fallback);

  // Throws for any key that was not read: unknown keys are errors, never silently ignored.
  void finish() const;
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  // A required parameter is absent. A misspelt one (fresh_mix(fraction=...)) is reported first, as unknown with
  // the allowed names, since it is the likelier mistake.
  [[noreturn]] void missing(std::string_view key) const;

 private:
  const SpecValue* find(std::string_view key);
  const SpecValue& required(std::string_view key);
  const ParamInfo& declared(std::string_view key, std::initializer_list<ParamType> types) const;
  double checked_number(std::string_view key, const SpecValue& v, const ParamInfo& p) const;

  Spec spec_;  // copies: a reader may be given temporaries, and both are small
  std::string what_;
  std::vector<ParamInfo> params_;
  std::vector<std::string> used_;
};

}  // namespace ouro
