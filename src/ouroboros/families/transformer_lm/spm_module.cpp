// The SentencePiece module (spm_backend.hpp says why it is loaded apart): the only file that includes
// SentencePiece's headers.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <unordered_map>

#include "ouroboros/families/transformer_lm/spm_backend.hpp"

// Exported by libsentencepiece but not declared in its public headers: the trainer logs every step on stderr.
namespace sentencepiece::logging {
void SetMinLogLevel(int level);
}

namespace {

class Lines final : public sentencepiece::SentenceIterator {
 public:
  explicit Lines(const std::vector<std::string>& lines) : lines_(lines) {}
  bool done() const override { return at_ >= lines_.size(); }
  void Next() override { ++at_; }
  const std::string& value() const override { return lines_[at_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  const std::vector<std::string>& lines_;
  std::size_t at_ = 0;
};

class Backend final : public ouro::lm::SpmBackend {
 public:
  std::string train(const std::vector<std::string>& lines, const std::vector<std::pair<std::string, std::string>>& args,
                    std::string& error) override {
    sentencepiece::logging::SetMinLogLevel(2);  // errors only
    const std::unordered_map<std::string, std::string> kwargs(args.begin(), args.end());
    Lines it(lines);
    std::string proto;
    const auto status = sentencepiece::SentencePieceTrainer::Train(kwargs, &it, &proto);
    if (!status.ok()) {
      error = status.message();
      return {};
    }
    return proto;
  }
  bool load(const std::string& serialized) override { return processor_.LoadFromSerializedProto(serialized).ok(); }
  bool encode(std::string_view text, std::vector<int>& ids) const override {
    return processor_.Encode(text, &ids).ok();
  }
  std::string decode(const std::vector<int>& ids) const override { return processor_.DecodeIds(ids); }
  int size() const override { return processor_.GetPieceSize(); }

 private:
  sentencepiece::SentencePieceProcessor processor_;
};

}  // namespace

extern "C" ouro::lm::SpmBackend* ouroboros_spm_create() { return new Backend(); }
