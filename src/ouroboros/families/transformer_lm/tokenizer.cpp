#include "ouroboros/families/transformer_lm/tokenizer.hpp"

#include <fmt/format.h>
#include <dlfcn.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "ouroboros/core/error.hpp"
#include "ouroboros/families/common/module_loader.hpp"
#include "ouroboros/families/transformer_lm/spm_backend.hpp"
#include "ouroboros/io/atomic_file.hpp"

namespace ouro::lm {

namespace {

constexpr std::string_view kVersion = "sentencepiece-0.1.97 bpe identity coverage=1 v1";

// FNV-1a, 64 bits: a stable key for a cache file name (not a security hash).
struct Fnv {
  std::uint64_t h = 1469598103934665603ull;
  void add(std::string_view s) {
    for (const unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;  // a separator, so ("ab","c") and ("a","bc") differ
  }
};

// The SentencePiece module (spm_backend.hpp), isolated from the torch module's protobuf by RTLD_DEEPBIND.
using Create = SpmBackend* (*)();
Create backend_factory() {
  static const auto create = reinterpret_cast<Create>(
      module_symbol("OUROBOROS_SPM_MODULE", OUROBOROS_SPM_MODULE_PATH, RTLD_DEEPBIND, "ouroboros_spm_create"));
  return create;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

struct Tokenizer::Impl {
  std::unique_ptr<SpmBackend> spm{backend_factory()()};
};

Tokenizer::Tokenizer() : impl_(std::make_unique<Impl>()) {}
Tokenizer::~Tokenizer() = default;

std::shared_ptr<const Tokenizer> Tokenizer::train_or_load(const std::vector<std::string>& lines, int vocab,
                                                          const std::filesystem::path& cache_dir,
                                                          const std::string& what) {
  Fnv fnv;
  fnv.add(kVersion);
  fnv.add(std::to_string(vocab));
  for (const auto& l : lines) fnv.add(l);
  std::shared_ptr<Tokenizer> t(new Tokenizer());
  t->key_ = fmt::format("{:016x}", fnv.h);
  const auto path = cache_dir / fmt::format("bpe-{}.model", t->key_);

  std::string proto;
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    proto = read_file(path);
    if (t->impl_->spm->load(proto) && t->size() == vocab) {
      t->source_ = "cache " + path.string();
      return t;
    }
  }
  const std::vector<std::pair<std::string, std::string>> args{
      {"model_type", "bpe"},          {"vocab_size", std::to_string(vocab)},
      {"character_coverage", "1.0"},  {"normalization_rule_name", "identity"},
      {"num_threads", "1"},           {"input_sentence_size", "0"},
      {"shuffle_input_sentence", "false"}, {"unk_id", "0"}, {"bos_id", "1"}, {"eos_id", "2"}, {"pad_id", "-1"},
      {"max_sentence_length", "1000000"}, {"hard_vocab_limit", "true"}};
  std::string error;
  proto = t->impl_->spm->train(lines, args, error);
  if (proto.empty())
    throw UserError(fmt::format("{}: the BPE tokenizer could not be trained with vocab={}: {} (a smaller vocab "
                                "fits a small text: BPE needs a pair to merge for every piece)",
                                what, vocab, error));
  if (!t->impl_->spm->load(proto))
    throw std::runtime_error("transformer_lm: a freshly trained tokenizer does not load");
  t->source_ = "trained";
  try {
    std::filesystem::create_directories(cache_dir);
    AtomicFile file(path, /*durable=*/false);
    file.write(proto);
    file.commit();
    t->source_ = "trained, cached at " + path.string();
  } catch (const std::exception& e) {
    std::cerr << fmt::format("warning: {}: the tokenizer is not cached ({}); it is trained again at every run\n",
                             what, e.what());
  }
  return t;
}

std::vector<std::int32_t> Tokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  if (!impl_->spm->encode(text, ids))
    throw std::runtime_error("transformer_lm: the tokenizer failed to encode a text");
  return {ids.begin(), ids.end()};
}

std::string Tokenizer::decode(const std::vector<std::int32_t>& ids) const {
  return impl_->spm->decode(std::vector<int>(ids.begin(), ids.end()));
}

int Tokenizer::size() const { return impl_->spm->size(); }

}  // namespace ouro::lm
