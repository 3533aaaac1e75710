#include "ouroboros/text/corpus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ouroboros/core/error.hpp"

namespace ouro::text {

namespace fs = std::filesystem;

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool is_punct(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 128 && std::ispunct(u);
}
bool all_punct(const std::string& s) { return std::all_of(s.begin(), s.end(), is_punct); }

void push_token(std::string token, const TokenizeOptions& options, WordSentence& out) {
  if (token.empty() || (options.drop_punctuation && all_punct(token))) return;
  if (options.lowercase)
    for (char& c : token)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  out.push_back(std::move(token));
}

std::string read_file(const fs::path& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot read {}", what, path.string()));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Splits a file's bytes into lines and checks each is UTF-8, naming the first bad line.
std::vector<std::string_view> lines_of(const std::string& bytes, const fs::path& path, const std::string& what) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= bytes.size()) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string::npos) end = bytes.size();
    const std::string_view line(bytes.data() + start, end - start);
    if (!valid_utf8(line))
      throw UserError(fmt::format("{}: {}:{} is not valid UTF-8 (convert the corpus to UTF-8)", what, path.string(),
                                  lines.size() + 1));
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

bool blank(std::string_view line) { return std::all_of(line.begin(), line.end(), is_space); }

// Reads one file as documents: the whole file is one document unless `split_on_blank` (a single plain file).
void read_documents(const fs::path& path, CorpusFormat format, const TokenizeOptions& options, bool split_on_blank,
                    const std::string& what, std::vector<TextDocument>& out) {
  const std::string bytes = read_file(path, what);
  TextDocument doc;
  const auto flush = [&] {
    if (doc.sentences.empty()) return;
    doc.name = split_on_blank ? fmt::format("{}#{}", path.filename().string(), out.size() + 1)
                              : path.filename().string();
    out.push_back(std::move(doc));
    doc = TextDocument{};
  };
  for (const auto line : lines_of(bytes, path, what)) {
    if (blank(line)) {
      if (split_on_blank) flush();
      continue;
    }
    WordSentence s = tokenize_line(line, format, options);
    if (!s.empty()) doc.sentences.push_back(std::move(s));
  }
  flush();
}

bool brown_document_name(const std::string& name) {
  return name.size() == 4 && name[0] == 'c' && name[1] >= 'a' && name[1] <= 'z' && std::isdigit(static_cast<unsigned char>(name[2])) &&
         std::isdigit(static_cast<unsigned char>(name[3]));
}

std::vector<fs::path> brown_files(const fs::path& dir, const std::string& what) {
  std::vector<fs::path> files;
  const fs::path cats = dir / "cats.txt";
  if (fs::is_regular_file(cats)) {
    std::istringstream in(read_file(cats, what));
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string id;
      if (!(fields >> id)) continue;
      // A document is a file name inside the corpus directory: no path (../x, /etc/passwd) is followed.
      if (id.find('/') != std::string::npos || id == "." || id == "..")
        throw UserError(fmt::format("{}: {} lists '{}', which is not a file name in the corpus directory", what,
                                    cats.string(), printable(id)));
      if (!fs::is_regular_file(dir / id))
        throw UserError(fmt::format("{}: {} lists document '{}' but {} is missing (fetch the corpus again)", what,
                                    cats.string(), id, (dir / id).string()));
      files.push_back(dir / id);
    }
  } else {
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && brown_document_name(e.path().filename().string())) files.push_back(e.path());
    std::sort(files.begin(), files.end());
  }
  return files;
}

}  // namespace

WordSentence tokenize_line(std::string_view line, CorpusFormat format, const TokenizeOptions& options) {
  WordSentence out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    std::size_t j = i;
    while (j < line.size() && !is_space(line[j])) ++j;
    if (j == i) break;
    std::string_view tok = line.substr(i, j - i);
    i = j;
    if (format == CorpusFormat::kBrown) {
      const auto slash = tok.rfind('/');
      push_token(std::string(slash == std::string_view::npos || slash == 0 ? tok : tok.substr(0, slash)), options, out);
      continue;
    }
    std::size_t a = 0, b = tok.size();
    while (a < b && is_punct(tok[a])) push_token(std::string(1, tok[a++]), options, out);
    std::size_t tail = b;
    while (tail > a && is_punct(tok[tail - 1])) --tail;
    push_token(std::string(tok.substr(a, tail - a)), options, out);
    for (std::size_t k = tail; k < b; ++k) push_token(std::string(1, tok[k]), options, out);
  }
  return out;
}

std::vector<TextDocument> load_corpus(const std::string& path, CorpusFormat format, const TokenizeOptions& options,
                                      const std::string& what) {
  const fs::path p(path);
  std::error_code ec;
  if (!fs::exists(p, ec))
    throw UserError(fmt::format("{}: {} does not exist (give a text file or directory; the Brown corpus is fetched "
                                "by scripts/fetch_brown.sh)", what, path));
  std::vector<TextDocument> docs;
  if (fs::is_directory(p)) {
    std::vector<fs::path> files;
    if (format == CorpusFormat::kBrown) {
      files = brown_files(p, what);
    } else {
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file() && e.path().filename().string().front() != '.') files.push_back(e.path());
      std::sort(files.begin(), files.end());
    }
    for (const auto& f : files) read_documents(f, format, options, false, what, docs);
  } else {
    if (format == CorpusFormat::kBrown)
      throw UserError(fmt::format("{}: format=brown needs the corpus directory, and {} is a file", what, path));
    read_documents(p, format, options, true, what, docs);
  }
  if (docs.empty())
    throw UserError(fmt::format("{}: {} holds no sentence (an empty corpus, or a directory without {} documents)",
                                what, path, format == CorpusFormat::kBrown ? "Brown" : "text"));
  return docs;
}

}  // namespace ouro::text
