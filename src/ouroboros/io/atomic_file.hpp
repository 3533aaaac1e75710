#pragma once
// A file written under a temporary name in its final directory and renamed into place by commit(), so a
// reader never sees a half-written file; destroyed without commit() (an error, an interrupt), the temporary
// is removed.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace ouro {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path final_path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::FILE* handle() { return file_; }
  void write(std::string_view text);
  void commit();  // flushes, closes, renames; throws std::runtime_error on I/O failure
  const std::filesystem::path& path() const { return final_; }

 private:
  std::filesystem::path final_, temp_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
};

void write_file_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace ouro
