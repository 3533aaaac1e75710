#pragma once
// A SentencePiece BPE tokenizer (Kudo & Richardson 2018; Debian's libsentencepiece) trained on the real training
// text only, and cached on disk keyed by its inputs.
//
// Training   model_type bpe, `vocab` pieces including <unk> = 0, <s> = 1, </s> = 2 (no padding piece), character
//            coverage 1 (every character of the training text is a piece, so only characters absent from it are
//            unknown), the identity normaliser (decode(encode(text)) == text for text made of training
//            characters), one thread and no sentence sampling, so the same text always gives the same model.
// Cache      `<cache_dir>/bpe-<key>.model`, key = FNV-1a 64 of the library version, the settings and every training
//            line; written atomically, so concurrent processes (MPI ranks) at worst train it twice. An unwritable
//            cache directory only costs the training time (a warning says so).
// Errors     a vocabulary the text cannot fill (BPE stops when no pair is left) is a UserError naming the
//            largest size to try.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ouro::lm {

class Tokenizer {
 public:
  // Loads the cached model for (lines, vocab) or trains and caches it. `what` names the source in messages.
  static std::shared_ptr<const Tokenizer> train_or_load(const std::vector<std::string>& lines, int vocab,
                                                        const std::filesystem::path& cache_dir,
                                                        const std::string& what);
  ~Tokenizer();

  std::vector<std::int32_t> encode(std::string_view text) const;
  std::string decode(const std::vector<std::int32_t>& ids) const;
  int size() const;
  std::int32_t bos() const { return 1; }
  std::int32_t eos() const { return 2; }
  std::int32_t unk() const { return 0; }
  const std::string& key() const { return key_; }      // the cache key (hex)
  const std::string& source() const { return source_; }  // "trained" or "cache <path>"

 private:
  struct Impl;
  Tokenizer();
  std::unique_ptr<Impl> impl_;
  std::string key_, source_;
};

}  // namespace ouro::lm
