#pragma once
// A file written under a temporary name in its final directory and renamed into place by commit(), so a
// reader never sees a half-written file; destroyed without commit() (an error, an interrupt), the temporary
// is removed. The temporary is created exclusively (never through a symbolic link) under an unpredictable name,
// and, when durable, flushed to disk before the rename. A process killed outright leaves its temporary behind:
// remove_stale_temp_files() clears those whose process is gone.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace ouro {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path final_path, bool durable = true);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::FILE* handle() { return file_; }
  void write(std::string_view text);
  void commit();   // finish() then publish()
  void finish();   // flushes, syncs and closes the temporary; throws std::runtime_error naming the failure (ENOSPC)
  void publish();  // renames a finished temporary to the final name
  const std::filesystem::path& path() const { return final_; }

 private:
  std::filesystem::path final_, temp_;
  bool finished_ = false;
  std::FILE* file_ = nullptr;
  static constexpr std::size_t kBufferBytes = std::size_t{1} << 20;
  std::unique_ptr<char[]> buffer_;
  bool durable_ = true;
  int error_ = 0;  // the first write's errno
};

void write_file_atomically(const std::filesystem::path& path, std::string_view text, bool durable = true);

// Removes the temporaries in `dir` left by processes that no longer run; returns how many.
std::size_t remove_stale_temp_files(const std::filesystem::path& dir);

}  // namespace ouro
