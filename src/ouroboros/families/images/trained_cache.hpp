#pragma once
// Helpers trained once and kept across runs (the image families' classifier and autoencoder): a network's bytes in
// a file of the cache directory, named by a key of everything its training depends on, so a changed input never
// reads a stale file.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace ouro::vision {

// FNV-1a, 64 bits, over the bytes of each part in turn: a stable key for a file name (not a security hash).
class CacheKey {
 public:
  CacheKey& add(const void* data, std::size_t n);
  CacheKey& add(std::string_view s) { return add(s.data(), s.size()); }
  std::string hex() const;

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

// The cache directory: $OUROBOROS_CACHE, else $XDG_CACHE_HOME/ouroboros, else $HOME/.cache/ouroboros; empty when none
// of these is set.
std::filesystem::path default_cache_dir();

// The bytes of `dir / name` when the file exists and `accept` takes them (it returns false for damaged bytes), else
// `train()`'s, then written there under a temporary name and renamed (a concurrent run never reads half a file).
// `source` says which: "cache PATH", "trained, cached at PATH", or "trained" (no directory, or the write failed: a
// warning naming `what` on stderr). An empty `dir` caches nothing.
std::string cached_or_trained(const std::filesystem::path& dir, const std::string& name,
                              const std::function<bool(const std::string&)>& accept,
                              const std::function<std::string()>& train, const std::string& what, std::string& source);

}  // namespace ouro::vision
