#include "ouroboros/io/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace ouro {

namespace {
constexpr std::string_view kTempMark = ".tmp-";

// A temporary name nobody can predict: .<name>.tmp-<pid>-<16 random hex digits>.
std::filesystem::path temp_name(const std::filesystem::path& final_path) {
  std::uint64_t r = 0;
  if (::getrandom(&r, sizeof r, 0) != static_cast<ssize_t>(sizeof r))
    r = static_cast<std::uint64_t>(::getpid()) * 0x9e3779b97f4a7c15ULL ^ reinterpret_cast<std::uintptr_t>(&r);
  return final_path.parent_path() /
         fmt::format(".{}{}{}-{:016x}", final_path.filename().string(), kTempMark, ::getpid(), r);
}
}  // namespace

AtomicFile::AtomicFile(std::filesystem::path final_path, bool durable) : final_(std::move(final_path)), durable_(durable) {
  temp_ = temp_name(final_);
  // Created exclusively and never through a symbolic link: a file planted at the name is refused, not followed.
  const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot write {}: {}", temp_.string(), std::strerror(errno)));
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    const int e = errno;
    ::close(fd);
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
    throw std::runtime_error(fmt::format("cannot write {}: {}", temp_.string(), std::strerror(e)));
  }
  // glibc ignores the size when it allocates the buffer itself: give it one (CSVs are written row by row). Left
  // uninitialised (new char[], not a zero-filled vector), so that only the pages a file's text reaches are touched:
  // zeroing 1 MiB per file was a visible share of a short run's start.
  buffer_.reset(new char[kBufferBytes]);
  std::setvbuf(file_, buffer_.get(), _IOFBF, kBufferBytes);
}

AtomicFile::~AtomicFile() {
  if (file_) std::fclose(file_);
  if (file_ || finished_) {  // never published: the temporary goes
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void AtomicFile::write(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() && error_ == 0) error_ = errno;
}

void AtomicFile::commit() {
  finish();
  publish();
}

void AtomicFile::finish() {
  int e = error_;
  if (std::fflush(file_) != 0 && e == 0) e = errno;
  // On disk before it gets its name: after a crash the name holds the old file or the whole new one.
  if (e == 0 && durable_ && ::fsync(::fileno(file_)) != 0) e = errno;
  if (std::fclose(file_) != 0 && e == 0) e = errno;
  file_ = nullptr;
  if (e != 0) {
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
    throw std::runtime_error(fmt::format("writing {} failed: {}", final_.string(), std::strerror(e)));
  }
  finished_ = true;
}

void AtomicFile::publish() {
  std::error_code ec;
  std::filesystem::rename(temp_, final_, ec);
  if (ec) throw std::runtime_error(fmt::format("writing {} failed: {}", final_.string(), ec.message()));
  finished_ = false;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text, bool durable) {
  AtomicFile f(path, durable);
  f.write(text);
  f.commit();
}

std::size_t remove_stale_temp_files(const std::filesystem::path& dir) {
  std::size_t removed = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto mark = name.rfind(kTempMark);
    if (name.empty() || name[0] != '.' || mark == std::string::npos) continue;
    // .<name>.tmp-<pid>-<hex> (or .<name>.tmp-<pid> from earlier versions): stale when its writer is gone.
    const char* begin = name.data() + mark + kTempMark.size();
    const char* end = name.data() + name.size();
    int pid = 0;
    const auto [rest, err] = std::from_chars(begin, end, pid);
    if (err != std::errc() || pid <= 0 || (rest != end && *rest != '-')) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
    std::error_code rm;
    if (it->is_regular_file(rm) && std::filesystem::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

}  // namespace ouro
