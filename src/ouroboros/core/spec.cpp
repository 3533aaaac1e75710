#include "ouroboros/core/spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "ouroboros/core/error.hpp"

namespace ouro {

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Spec parse() {
    Spec spec;
    skip();
    spec.name = identifier("a family name");
    skip();
    if (pos_ < s_.size() && s_[pos_] == '(') {
      ++pos_;
      skip();
      if (peek() != ')') {
        for (;;) {
          skip();
          std::string key = identifier("a parameter name");
          skip();
          expect('=');
          SpecValue value = parse_value(0);
          for (const auto& [k, v] : spec.args)
            if (k == key) error(fmt::format("parameter '{}' given twice", key));
          spec.args.emplace_back(std::move(key), std::move(value));
          skip();
          if (peek() == ',') {
            ++pos_;
            continue;
          }
          break;
        }
      }
      expect(')');
    }
    skip();
    if (pos_ != s_.size()) error("unexpected text after the spec");
    return spec;
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  [[noreturn]] void error(const std::string& what) const {
    throw UserError(fmt::format("bad spec '{}' at character {}: {}", printable(s_), pos_ + 1, what));
  }
  void expect(char c) {
    skip();
    if (peek() != c) error(fmt::format("expected '{}'", c));
    ++pos_;
  }
  static bool word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '+' ||
           c == '/';
  }
  std::string identifier(const char* what) {
    const std::size_t start = pos_;
    if (!(std::isalpha(static_cast<unsigned char>(peek())) || peek() == '_')) error(fmt::format("expected {}", what));
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  // Lists nest at most kMaxDepth deep: the parser recurses once per level, and input must not exhaust the stack.
  static constexpr int kMaxDepth = 16;
  SpecValue parse_value(int depth) {
    skip();
    SpecValue v;
    const char c = peek();
    if (c == '[') {
      if (depth >= kMaxDepth) error(fmt::format("lists nested more than {} deep", kMaxDepth));
      ++pos_;
      v.kind = SpecValue::Kind::kList;
      skip();
      if (peek() != ']') {
        for (;;) {
          v.items.push_back(parse_value(depth + 1));
          skip();
          if (peek() == ',') {
            ++pos_;
            continue;
          }
          break;
        }
      }
      expect(']');
      return v;
    }
    if (c == '"' || c == '\'') {
      ++pos_;
      const std::size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] != c) ++pos_;
      if (pos_ == s_.size()) error("unterminated quoted value");
      v.text = std::string(s_.substr(start, pos_ - start));
      ++pos_;
      return v;
    }
    const std::size_t start = pos_;
    while (pos_ < s_.size() && word_char(s_[pos_])) ++pos_;
    if (start == pos_) error("expected a value");
    v.text = std::string(s_.substr(start, pos_ - start));
    char* end = nullptr;
    const double x = std::strtod(v.text.c_str(), &end);
    if (end == v.text.c_str() + v.text.size() && !v.text.empty() &&
        (std::isdigit(static_cast<unsigned char>(v.text[0])) || v.text[0] == '-' || v.text[0] == '+' ||
         v.text[0] == '.')) {
      v.kind = SpecValue::Kind::kNumber;
      v.number = x;
    }
    return v;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// A word is written bare only when it would parse back as the same word: not empty, only word characters,
// and not something the parser would read as a number (a word "1.5" must keep its quotes).
bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  const bool word_chars = std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '+' || c == '/';
  });
  if (!word_chars) return true;
  const char c = s[0];
  return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.';
}

std::string quoted(const std::string& s) {
  const char q = s.find('"') == std::string::npos ? '"' : '\'';
  return q + s + q;
}

std::string allowed_list(const std::vector<ParamInfo>& params) {
  std::string out;
  for (const auto& p : params) out += (out.empty() ? "" : ", ") + p.name;
  return out.empty() ? "none" : out;
}

}  // namespace

std::string SpecValue::to_string() const {
  switch (kind) {
    case Kind::kNumber:
      return text;
    case Kind::kWord:
      return needs_quotes(text) ? quoted(text) : text;
    case Kind::kList: {
      std::string out = "[";
      for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i].to_string();
      return out + "]";
    }
  }
  return {};
}

std::string Spec::to_string() const {
  if (args.empty()) return name;
  std::string out = name + "(";
  for (std::size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + args[i].first + "=" + args[i].second.to_string();
  return out + ")";
}

Spec parse_spec(std::string_view text) { return Parser(text).parse(); }

std::string_view param_type_name(ParamType type) {
  switch (type) {
    case ParamType::kAny: return "any";
    case ParamType::kNumber: return "number";
    case ParamType::kInteger: return "integer";
    case ParamType::kWord: return "word";
    case ParamType::kNumberOrWord: return "number or word";
    case ParamType::kText: return "text";
    case ParamType::kFlag: return "flag";
    case ParamType::kNumbers: return "numbers";
  }
  return "any";
}

bool ParamInfo::in_range(double x) const {
  return (min_exclusive ? x > min : x >= min) && (max_exclusive ? x < max : x <= max);
}

std::string ParamInfo::range_text() const {
  const bool has_min = std::isfinite(min), has_max = std::isfinite(max);
  if (has_min && has_max)
    return fmt::format("in {}{}, {}{}", min_exclusive ? '(' : '[', min, max, max_exclusive ? ')' : ']');
  if (has_min) return fmt::format("{} {}", min_exclusive ? ">" : ">=", min);
  if (has_max) return fmt::format("{} {}", max_exclusive ? "<" : "<=", max);
  return {};
}

ParamInfo ParamInfo::at_least(double x) && { min = x, min_exclusive = false; return std::move(*this); }
ParamInfo ParamInfo::above(double x) && { min = x, min_exclusive = true; return std::move(*this); }
ParamInfo ParamInfo::at_most(double x) && { max = x, max_exclusive = false; return std::move(*this); }
ParamInfo ParamInfo::below(double x) && { max = x, max_exclusive = true; return std::move(*this); }
ParamInfo ParamInfo::computed(std::string what) && { computed_default = std::move(what); return std::move(*this); }

namespace param {
namespace {
ParamInfo typed(std::string name, std::string default_text, std::string help, ParamType type) {
  ParamInfo p;
  p.name = std::move(name);
  p.default_text = std::move(default_text);
  p.help = std::move(help);
  p.type = type;
  return p;
}
}  // namespace
ParamInfo number(std::string name, std::string default_text, std::string help) {
  return typed(std::move(name), std::move(default_text), std::move(help), ParamType::kNumber);
}
ParamInfo positive(std::string name, std::string default_text, std::string help) {
  return number(std::move(name), std::move(default_text), std::move(help)).above(0);
}
ParamInfo probability(std::string name, std::string default_text, std::string help) {
  return number(std::move(name), std::move(default_text), std::move(help)).at_least(0).at_most(1);
}
ParamInfo integer(std::string name, std::string default_text, std::string help) {
  return typed(std::move(name), std::move(default_text), std::move(help), ParamType::kInteger);
}
ParamInfo word(std::string name, std::vector<std::string> words, std::string default_text, std::string help) {
  ParamInfo p = typed(std::move(name), std::move(default_text), std::move(help), ParamType::kWord);
  p.words = std::move(words);
  return p;
}
ParamInfo number_or_word(std::string name, std::vector<std::string> words, std::string default_text, std::string help) {
  ParamInfo p = typed(std::move(name), std::move(default_text), std::move(help), ParamType::kNumberOrWord);
  p.words = std::move(words);
  return p;
}
ParamInfo text(std::string name, std::string default_text, std::string help) {
  return typed(std::move(name), std::move(default_text), std::move(help), ParamType::kText);
}
ParamInfo flag(std::string name, bool default_value, std::string help) {
  return typed(std::move(name), default_value ? "true" : "false", std::move(help), ParamType::kFlag);
}
ParamInfo numbers(std::string name, std::string default_text, std::string help) {
  return typed(std::move(name), std::move(default_text), std::move(help), ParamType::kNumbers);
}
}  // namespace param

SpecReader::SpecReader(Spec spec, std::string what, std::vector<ParamInfo> params)
    : spec_(std::move(spec)), what_(std::move(what)), params_(std::move(params)) {}

bool SpecReader::has(std::string_view key) const {
  return std::any_of(spec_.args.begin(), spec_.args.end(), [&](const auto& a) { return a.first == key; });
}

bool SpecReader::has_number(std::string_view key) const {
  return std::any_of(spec_.args.begin(), spec_.args.end(),
                     [&](const auto& a) { return a.first == key && a.second.kind == SpecValue::Kind::kNumber; });
}

const SpecValue* SpecReader::find(std::string_view key) {
  // Asking for a parameter the family did not declare is a programming error: the declaration is what
  // `ouroboros families` documents, so the two must agree.
  if (std::none_of(params_.begin(), params_.end(), [&](const ParamInfo& p) { return p.name == key; }))
    throw std::logic_error(fmt::format("{}: parameter '{}' read but not declared", what_, key));
  used_.emplace_back(key);
  for (const auto& [k, v] : spec_.args)
    if (k == key) return &v;
  return nullptr;
}

const SpecValue& SpecReader::required(std::string_view key) {
  const SpecValue* v = find(key);
  if (!v) missing(key);
  return *v;
}

void SpecReader::fail(std::string_view key, const std::string& message) const {
  std::string shown;
  for (const auto& [k, v] : spec_.args)
    if (k == key) shown = fmt::format("={}", v.to_string());
  throw UserError(fmt::format("{} parameter '{}{}' {}", what_, key, shown, message));
}

void SpecReader::missing(std::string_view key) const {
  for (const auto& arg : spec_.args)
    if (const std::string& k = arg.first; std::none_of(params_.begin(), params_.end(), [&](const ParamInfo& p) { return p.name == k; }))
      throw UserError(fmt::format("{}: unknown parameter '{}' (allowed: {})", what_, k, allowed_list(params_)));
  fail(key, "is required");
}

const ParamInfo& SpecReader::declared(std::string_view key, std::initializer_list<ParamType> types) const {
  for (const auto& p : params_)
    if (p.name == key) {
      if (std::find(types.begin(), types.end(), p.type) == types.end())
        throw std::logic_error(fmt::format("{}: parameter '{}' is declared as {}, read as {}", what_, key,
                                           param_type_name(p.type), param_type_name(*types.begin())));
      return p;
    }
  throw std::logic_error(fmt::format("{}: parameter '{}' read but not declared", what_, key));
}

namespace {
// The declared default, parsed as a spec value ("4", "1e-6", "farthest", "[1, 2]"), or null when there is none.
std::optional<SpecValue> declared_default(const ParamInfo& p) {
  if (p.default_text.empty()) return std::nullopt;
  Spec s = parse_spec("d(v=" + p.default_text + ")");
  return s.args.front().second;
}

std::string words_text(const std::vector<std::string>& words) {
  std::string list;
  for (const auto& w : words) list += (list.empty() ? "" : ", ") + w;
  return list;
}
}  // namespace

double SpecReader::checked_number(std::string_view key, const SpecValue& v, const ParamInfo& p) const {
  if (v.kind != SpecValue::Kind::kNumber || !std::isfinite(v.number)) fail(key, "must be a finite number");
  if (p.type == ParamType::kInteger && (v.number != std::floor(v.number) || std::abs(v.number) > 9.0e15))
    fail(key, "must be an integer");
  if (!p.in_range(v.number)) fail(key, "must be " + p.range_text());
  return v.number;
}

double SpecReader::number(std::string_view key) {
  const ParamInfo& p = declared(key, {ParamType::kNumber, ParamType::kAny, ParamType::kInteger, ParamType::kNumberOrWord});
  const SpecValue* v = find(key);
  if (p.type == ParamType::kAny) return number(key, std::nullopt);
  if (v && p.type == ParamType::kNumberOrWord && v->kind != SpecValue::Kind::kNumber)
    fail(key, fmt::format("is not one of: {}, or a number {}", words_text(p.words), p.range_text()));
  const std::optional<SpecValue> fallback = v ? std::nullopt : declared_default(p);
  if (!v && !fallback) missing(key);
  return checked_number(key, v ? *v : *fallback, p);
}

std::int64_t SpecReader::integer(std::string_view key) {
  const ParamInfo& p = declared(key, {ParamType::kInteger, ParamType::kAny});
  if (p.type == ParamType::kAny) return integer(key, std::numeric_limits<std::int64_t>::min());
  return static_cast<std::int64_t>(number(key));
}

std::string SpecReader::word(std::string_view key) {
  const ParamInfo& p = declared(key, {ParamType::kWord, ParamType::kNumberOrWord});
  const SpecValue* v = find(key);
  if (!v) {
    if (p.default_text.empty()) missing(key);
    return p.default_text;
  }
  if (v->kind == SpecValue::Kind::kList || std::find(p.words.begin(), p.words.end(), v->text) == p.words.end() ||
      (v->kind == SpecValue::Kind::kNumber && p.type == ParamType::kNumberOrWord))
    fail(key, p.type == ParamType::kWord ? "is not one of: " + words_text(p.words)
                                         : fmt::format("is not one of: {}, or a number {}", words_text(p.words), p.range_text()));
  return v->text;
}

bool SpecReader::flag(std::string_view key) {
  const ParamInfo& p = declared(key, {ParamType::kFlag});
  return flag(key, p.default_text == "true");
}

std::string SpecReader::text(std::string_view key) {
  const ParamInfo& p = declared(key, {ParamType::kText, ParamType::kAny});
  if (p.type == ParamType::kAny || p.default_text.empty()) return text(key, std::nullopt);
  return text(key, p.default_text);
}

std::vector<double> SpecReader::numbers(std::string_view key) {
  const ParamInfo& p = declared(key, {ParamType::kNumbers, ParamType::kAny});
  const SpecValue* v = find(key);
  const std::optional<SpecValue> fallback = v ? std::nullopt : declared_default(p);
  if (!v && !fallback) missing(key);
  const SpecValue& value = v ? *v : *fallback;
  if (value.kind == SpecValue::Kind::kNumber) return {checked_number(key, value, p)};
  if (value.kind != SpecValue::Kind::kList) fail(key, "must be a number or a list of numbers");
  std::vector<double> out;
  for (const auto& item : value.items) {
    if (item.kind != SpecValue::Kind::kNumber || !std::isfinite(item.number)) fail(key, "must hold only finite numbers");
    if (!p.in_range(item.number)) fail(key, "must hold only numbers " + p.range_text());
    out.push_back(item.number);
  }
  return out;
}

double SpecReader::number(std::string_view key, std::optional<double> fallback) {
  const SpecValue* v = find(key);
  if (!v) {
    if (!fallback) missing(key);
    return *fallback;
  }
  if (v->kind != SpecValue::Kind::kNumber || !std::isfinite(v->number)) fail(key, "must be a finite number");
  return v->number;
}

double SpecReader::positive(std::string_view key, std::optional<double> fallback) {
  const double x = number(key, fallback);
  if (!(x > 0)) fail(key, "must be > 0");
  return x;
}

double SpecReader::probability(std::string_view key, std::optional<double> fallback) {
  const double x = number(key, fallback);
  if (!(x >= 0 && x <= 1)) fail(key, "must be in [0, 1]");
  return x;
}

std::int64_t SpecReader::integer(std::string_view key, std::int64_t min_value, std::optional<std::int64_t> fallback) {
  const SpecValue* v = find(key);
  if (!v) {
    if (!fallback) missing(key);
    return *fallback;
  }
  if (v->kind != SpecValue::Kind::kNumber || v->number != std::floor(v->number) || std::abs(v->number) > 9.0e15)
    fail(key, "must be an integer");
  if (v->number < static_cast<double>(min_value)) fail(key, fmt::format("must be >= {}", min_value));
  return static_cast<std::int64_t>(v->number);
}

bool SpecReader::flag(std::string_view key, bool fallback) {
  const SpecValue* v = find(key);
  if (!v) return fallback;
  if (v->text == "true") return true;
  if (v->text == "false") return false;
  fail(key, "must be true or false");
}

std::string SpecReader::word(std::string_view key, const std::vector<std::string>& allowed,
                             std::optional<std::string> fallback) {
  const SpecValue* v = find(key);
  if (!v) {
    if (!fallback) missing(key);
    return *fallback;
  }
  if (std::find(allowed.begin(), allowed.end(), v->text) == allowed.end() || v->kind == SpecValue::Kind::kList) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    fail(key, "is not one of: " + list);
  }
  return v->text;
}

std::string SpecReader::text(std::string_view key, std::optional<std::string> fallback) {
  const SpecValue* v = find(key);
  if (!v) {
    if (!fallback) missing(key);
    return *fallback;
  }
  if (v->kind == SpecValue::Kind::kList) fail(key, "must be a single value, not a list");
  return v->text;
}

void SpecReader::finish() const {
  for (const auto& arg : spec_.args)
    if (const std::string& k = arg.first; std::find(used_.begin(), used_.end(), k) == used_.end()) {
      const bool declared = std::any_of(params_.begin(), params_.end(), [&](const ParamInfo& p) { return p.name == k; });
      if (declared)
        throw UserError(fmt::format("{}: parameter '{}' does not apply with the other parameters given "
                                    "(see `ouroboros families`)", what_, k));
      throw UserError(fmt::format("{}: unknown parameter '{}' (allowed: {})", what_, k, allowed_list(params_)));
    }
}

}  // namespace ouro
