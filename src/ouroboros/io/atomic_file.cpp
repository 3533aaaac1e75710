#include "ouroboros/io/atomic_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ouro {

AtomicFile::AtomicFile(std::filesystem::path final_path) : final_(std::move(final_path)) {
  temp_ = final_.parent_path() / fmt::format(".{}.tmp-{}", final_.filename().string(), ::getpid());
  file_ = std::fopen(temp_.c_str(), "wb");
  if (!file_) throw std::runtime_error(fmt::format("cannot write {}: {}", temp_.string(), std::strerror(errno)));
  // glibc ignores the size when it allocates the buffer itself: give it one (CSVs are written row by row).
  buffer_.resize(std::size_t{1} << 20);
  std::setvbuf(file_, buffer_.data(), _IOFBF, buffer_.size());
}

AtomicFile::~AtomicFile() {
  if (file_) {
    std::fclose(file_);
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void AtomicFile::write(std::string_view text) { std::fwrite(text.data(), 1, text.size(), file_); }

void AtomicFile::commit() {
  const bool failed = std::ferror(file_) != 0;
  const bool close_failed = std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed || close_failed) {
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
    throw std::runtime_error(fmt::format("writing {} failed", final_.string()));
  }
  std::filesystem::rename(temp_, final_);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  AtomicFile f(path);
  f.write(text);
  f.commit();
}

}  // namespace ouro
