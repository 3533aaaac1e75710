#include "ouroboros/families/images/trained_cache.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace ouro::vision {

CacheKey& CacheKey::add(const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 0x100000001b3ULL;
  return *this;
}

std::string CacheKey::hex() const { return fmt::format("{:016x}", h_); }

std::filesystem::path default_cache_dir() {
  if (const char* d = std::getenv("OUROBOROS_CACHE"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::filesystem::path(d) / "ouroboros";
  if (const char* d = std::getenv("HOME"); d && *d) return std::filesystem::path(d) / ".cache" / "ouroboros";
  return {};
}

std::string cached_or_trained(const std::filesystem::path& dir, const std::string& name,
                              const std::function<bool(const std::string&)>& accept,
                              const std::function<std::string()>& train, const std::string& what, std::string& source) {
  const auto path = dir.empty() ? std::filesystem::path() : dir / name;
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream bytes;
      bytes << in.rdbuf();
      std::string b = std::move(bytes).str();
      if (accept(b)) {
        source = "cache " + path.string();
        return b;
      }
    }
  }
  std::string bytes = train();
  source = "trained";
  if (path.empty()) return bytes;
  try {
    std::filesystem::create_directories(dir);
    const auto temp = path.string() + fmt::format(".tmp{}", ::getpid());
    {
      std::ofstream out(temp, std::ios::binary);
      out << bytes;
      if (!out.flush()) throw std::runtime_error("cannot write " + temp);
    }
    std::filesystem::rename(temp, path);
    source = "trained, cached at " + path.string();
  } catch (const std::exception& e) {
    std::cerr << fmt::format("warning: the {} is not cached ({}); it is trained again at every run\n", what, e.what());
  }
  return bytes;
}

}  // namespace ouro::vision
