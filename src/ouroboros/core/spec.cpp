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

std::vector<double> SpecReader::numbers(std::string_view key) {
  const SpecValue& v = required(key);
  std::vector<double> out;
  if (v.kind == SpecValue::Kind::kNumber) return {v.number};
  if (v.kind != SpecValue::Kind::kList) fail(key, "must be a number or a list of numbers");
  for (const auto& item : v.items) {
    if (item.kind != SpecValue::Kind::kNumber || !std::isfinite(item.number)) fail(key, "must hold only finite numbers");
    out.push_back(item.number);
  }
  return out;
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
