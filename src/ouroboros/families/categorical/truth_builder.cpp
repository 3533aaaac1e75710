#include "ouroboros/families/categorical/truth_builder.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/parallel.hpp"
#include "ouroboros/families/common/corpus_params.hpp"
#include "ouroboros/text/dataset.hpp"

namespace ouro {

namespace {

constexpr const char* kWhat = "truth.family: categorical";
constexpr std::int64_t kMaxSymbols = 4294967295;  // symbols are std::uint32_t

CategoricalTruth read_counts_file(const std::string& path) {
  // Only a regular file: a device such as /dev/zero would be read without end.
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw UserError(fmt::format("{} parameter 'file={}' is not a regular file (give a counts file)", kWhat, printable(path)));
  std::ifstream in(path);
  if (!in) throw UserError(fmt::format("{} parameter 'file={}' cannot be opened (give a readable counts file)", kWhat, path));
  CategoricalTruth t;
  std::vector<double> counts;
  std::string line;
  std::size_t line_no = 0;
  bool named = false;
  while (std::getline(in, line)) {
    ++line_no;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream fields(line);
    std::vector<std::string> parts;
    for (std::string f; fields >> f;) parts.push_back(f);
    if (parts.empty()) continue;  // only white space (\v and \f too, which the check above lets through)
    if (parts.size() > 2)
      throw UserError(fmt::format("{}: {}:{}: expected `count` or `symbol count`, got {} fields", kWhat, path,
                                  line_no, parts.size()));
    const bool has_symbol = parts.size() == 2;
    if (counts.empty()) named = has_symbol;
    if (has_symbol != named)
      throw UserError(fmt::format("{}: {}:{}: every line must have the same form (`count` or `symbol count`)",
                                  kWhat, path, line_no));
    const std::string& text = parts.back();
    char* end = nullptr;
    const double c = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !(c >= 0) || !std::isfinite(c))
      throw UserError(fmt::format("{}: {}:{}: count '{}' is not a non-negative number", kWhat, path, line_no, text));
    counts.push_back(c);
    if (named) t.labels.push_back(parts.front());
    if (static_cast<std::int64_t>(counts.size()) > kMaxSymbols)
      throw UserError(fmt::format("{}: {} holds more than {} symbols (symbols are 32-bit)", kWhat, path, kMaxSymbols));
  }
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  if (!std::isfinite(total))
    throw UserError(fmt::format("{}: {}: the counts sum to more than the largest double", kWhat, path));
  if (counts.empty() || total <= 0)
    throw UserError(fmt::format("{}: {} holds no positive counts", kWhat, path));
  for (const double c : counts) t.p.push_back(c / total);
  t.description = {{"dist", "counts"}, {"file", path}, {"m", counts.size()}, {"total_count", total}};
  return t;
}

// The word distribution of a corpus's training documents, split and tokenised exactly as the ngram family does,
// so both families see the same vocabulary (ids by decreasing count) and the same held-out documents.
CategoricalTruth corpus_word_counts(SpecReader& r) {
  const CorpusParams c = read_corpus_params(r, kWhat);
  const auto data = text::build_dataset(text::load_corpus(c.path, c.format, c.options, c.where), c.heldout_fraction, c.where);
  CategoricalTruth t;
  t.labels = data.vocabulary.words;
  const auto total = static_cast<double>(data.train_words);
  for (const auto c : data.vocabulary.counts) t.p.push_back(static_cast<double>(c) / total);
  t.description = c.describe();
  t.description.update({{"dist", "corpus"},
                   {"corpus", c.path},
                   {"split", "by document: document i held out iff floor((i+1) f) > floor(i f)"},
                   {"train_documents", data.train_documents},
                   {"heldout_documents", data.heldout_documents},
                   {"train_sentences", data.train.size()},
                   {"m", t.p.size()},
                   {"total_count", data.train_words}});
  return t;
}

}  // namespace

const std::vector<ParamInfo>& categorical_truth_params() {
  static const std::vector<ParamInfo> params = [] {
    std::vector<ParamInfo> p{
        param::word("dist", {"zipf", "uniform", "explicit", "counts", "corpus"}, "",
                    "the distribution: zipf, uniform, explicit (p), counts (file) or corpus")
            .computed("inferred from p, file or corpus; required otherwise"),
        param::integer("m", "", "number of symbols (zipf, uniform)").at_least(1).at_most(kMaxSymbols),
        param::number("a", "1", "Zipf exponent: p_i proportional to 1/(i+b)^a"),
        param::number("b", "0", "Zipf offset").at_least(0),
        param::numbers("p", "", "explicit probabilities [p_1, ..., p_m], summing to 1").at_least(0),
        param::text("file", "", "counts file: one `count` or `symbol count` per line"),
    };
    for (auto& c : corpus_params("corpus path (dist=corpus): a directory of documents or one text file")) p.push_back(std::move(c));
    return p;
  }();
  return params;
}

namespace {
// The truth alone holds m probabilities, and every chain two models and four statistics of m entries: a truth
// whose symbols cannot fit even once is refused before it is built (the run's own estimate comes later).
void check_symbols_fit(SpecReader& r, std::int64_t m) {
  const double bytes = 8.0 * static_cast<double>(m);
  if (bytes > available_memory_bytes())
    r.fail("m", fmt::format("needs {:.3g} GiB for the truth's probabilities alone, more than the memory available",
                            bytes / 1073741824.0));
}
}  // namespace

CategoricalTruth build_categorical_truth(const Spec& spec) {
  SpecReader r(spec, kWhat, categorical_truth_params());
  std::string fallback = r.has("p") ? "explicit" : r.has("file") ? "counts" : r.has("corpus") ? "corpus" : "";
  const std::string dist = r.has("dist") || fallback.empty() ? r.word("dist") : fallback;
  CategoricalTruth t;
  if (dist == "zipf") {
    const auto m = r.integer("m");
    const double a = r.number("a");
    const double b = r.number("b");
    check_symbols_fit(r, m);
    t.p.resize(static_cast<std::size_t>(m));
    // Relative to symbol 1, in logs: (i + b)^-a itself overflows or underflows for large a, and the sum with it.
    const double log_first = std::log1p(b);
    for (std::int64_t i = 1; i <= m; ++i)
      t.p[static_cast<std::size_t>(i - 1)] = std::exp(-a * (std::log(static_cast<double>(i) + b) - log_first));
    if (!(t.p.back() > 0) || !std::isfinite(t.p.back()))
      r.fail("a", fmt::format("gives symbol {} a probability {} times that of symbol 1, below the smallest double; "
                              "lower a or m", m, fmt::format("e^{:.4g}", -a * (std::log(static_cast<double>(m) + b) - log_first))));
    const double z = std::accumulate(t.p.begin(), t.p.end(), 0.0);
    for (double& x : t.p) x /= z;
    t.description = {{"dist", "zipf"}, {"m", m}, {"a", a}, {"b", b}};
  } else if (dist == "uniform") {
    const auto m = r.integer("m");
    check_symbols_fit(r, m);
    t.p.assign(static_cast<std::size_t>(m), 1.0 / static_cast<double>(m));
    t.description = {{"dist", "uniform"}, {"m", m}};
  } else if (dist == "explicit") {
    t.p = r.numbers("p");
    double total = 0;
    for (const double x : t.p) total += x;
    if (std::abs(total - 1.0) > 1e-9) r.fail("p", fmt::format("must sum to 1 (it sums to {})", total));
    for (double& x : t.p) x /= total;
    t.description = {{"dist", "explicit"}, {"m", t.p.size()}, {"p", t.p}};
  } else if (dist == "counts") {
    t = read_counts_file(r.text("file"));
  } else {
    t = corpus_word_counts(r);
  }
  if (t.p.size() > (std::size_t{1} << 31)) r.fail("m", "must be below 2^31");
  r.finish();
  return t;
}

}  // namespace ouro
