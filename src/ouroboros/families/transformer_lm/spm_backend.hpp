#pragma once
// The SentencePiece calls the tokenizer needs, behind an interface that a separately loaded module implements.
//
// Why a module: Debian's libsentencepiece carries its own copy of protobuf-lite and exports its symbols, while
// libtorch links the system libprotobuf. Linked into one program, whichever copy the dynamic linker sees first
// serves both, and the program crashes at start-up (seen: libprotobuf's static initialiser entering
// sentencepiece's MergeFromImpl). spm_module.cpp is built as its own shared module, linked to libsentencepiece,
// and loaded with dlopen(RTLD_LOCAL | RTLD_DEEPBIND): sentencepiece then resolves to its own protobuf and nothing
// else sees it.
#include <string>
#include <string_view>
#include <vector>

namespace ouro::lm {

class SpmBackend {
 public:
  virtual ~SpmBackend() = default;
  // Trains a BPE model on `lines` with the given trainer arguments; returns the serialized model, or "" with
  // `error` set.
  virtual std::string train(const std::vector<std::string>& lines,
                            const std::vector<std::pair<std::string, std::string>>& args, std::string& error) = 0;
  virtual bool load(const std::string& serialized) = 0;
  virtual bool encode(std::string_view text, std::vector<int>& ids) const = 0;
  virtual std::string decode(const std::vector<int>& ids) const = 0;
  virtual int size() const = 0;
};

}  // namespace ouro::lm

// The module's one entry point (dlsym name "ouroboros_spm_create"): a new backend, owned by the caller.
extern "C" ouro::lm::SpmBackend* ouroboros_spm_create();
