#pragma once
// A binary archive for checkpoints: a chain's state (models, statistics, sample pools) written after a
// generation and read back to continue with identical bits. Not a file format for exchange: a checkpoint is read
// only by the same build that wrote it (the store is refused across versions anyway).
//
// What can be archived (the concept Archivable):
//   - trivially copyable types (numbers, enums, plain structs of them): their bytes;
//   - std::vector, std::pair and std::string of archivable elements;
//   - dense matrices with rows(), cols(), data() and resize(rows, cols) (Eigen's, without including Eigen here);
//   - a struct with a member `template <class A> void archive(A& a) { a(x, y, z); }` naming its fields: the same
//     function reads and writes (the idea of mlpack's `serialize`).
// Boost.Serialization would serve, but it is a compiled library with its own format versions and needs every
// type to register; a checkpoint needs none of that, so these ~100 lines do.
#include <concepts>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace ouro {

class ArchiveWriter;
class ArchiveReader;

template <class T>
concept DenseMatrix = requires(T& m, const T& c) {
  { c.rows() } -> std::convertible_to<std::int64_t>;
  { c.cols() } -> std::convertible_to<std::int64_t>;
  c.data();
  m.resize(c.rows(), c.cols());
  typename T::Scalar;
};

template <class T>
concept HasArchiveMember = requires(T& t, ArchiveWriter& w) { t.archive(w); };

template <class T>
struct IsArchivableImpl;

template <class T>
concept Archivable = IsArchivableImpl<std::remove_cv_t<T>>::value;

template <class T>
struct IsArchivableImpl {
  static constexpr bool value = (std::is_trivially_copyable_v<T> && !std::is_pointer_v<T>) || DenseMatrix<T> ||
                                HasArchiveMember<T>;
};
template <class T, class A>
struct IsArchivableImpl<std::vector<T, A>> {
  static constexpr bool value = IsArchivableImpl<T>::value;
};
template <class T, class U>
struct IsArchivableImpl<std::pair<T, U>> {
  static constexpr bool value = IsArchivableImpl<T>::value && IsArchivableImpl<U>::value;
};
template <>
struct IsArchivableImpl<std::string> {
  static constexpr bool value = true;
};

template <class T>
struct IsPair : std::false_type {};
template <class T, class U>
struct IsPair<std::pair<T, U>> : std::true_type {};

class ArchiveWriter {
 public:
  template <class... T>
  void operator()(const T&... values) {
    (put(values), ...);
  }
  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void raw(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  template <class T>
  void put(const T& v) {
    static_assert(Archivable<T>, "this type cannot be archived: give it a member archive(A&)");
    if constexpr (HasArchiveMember<T>) {
      const_cast<T&>(v).archive(*this);  // archive() reads the fields when given a writer
    } else if constexpr (IsPair<T>::value) {
      put(v.first);
      put(v.second);
    } else if constexpr (DenseMatrix<T>) {
      const std::int64_t shape[2] = {v.rows(), v.cols()};
      raw(shape, sizeof shape);
      raw(v.data(), static_cast<std::size_t>(shape[0] * shape[1]) * sizeof(typename T::Scalar));
    } else if constexpr (std::is_trivially_copyable_v<T>) {
      raw(&v, sizeof v);
    } else {  // std::vector or std::string
      const auto n = static_cast<std::uint64_t>(v.size());
      raw(&n, sizeof n);
      using E = typename T::value_type;
      if constexpr (std::is_trivially_copyable_v<E> && !DenseMatrix<E> && !HasArchiveMember<E> && !IsPair<E>::value)
        raw(v.data(), v.size() * sizeof(E));
      else
        for (const auto& e : v) put(e);
    }
  }
  std::string out_;
};

class ArchiveReader {
 public:
  explicit ArchiveReader(std::string_view bytes) : in_(bytes) {}
  template <class... T>
  void operator()(T&... values) {
    (get(values), ...);
  }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  void raw(void* p, std::size_t n) {
    if (n > in_.size() - pos_) throw std::runtime_error("checkpoint: truncated archive");
    if (n > 0) std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  template <class T>
  void get(T& v) {
    if constexpr (HasArchiveMember<T>) {
      v.archive(*this);
    } else if constexpr (IsPair<T>::value) {
      get(v.first);
      get(v.second);
    } else if constexpr (DenseMatrix<T>) {
      std::int64_t shape[2];
      raw(shape, sizeof shape);
      if (shape[0] < 0 || shape[1] < 0) throw std::runtime_error("checkpoint: bad matrix shape");
      v.resize(shape[0], shape[1]);
      raw(v.data(), static_cast<std::size_t>(shape[0] * shape[1]) * sizeof(typename T::Scalar));
    } else if constexpr (std::is_trivially_copyable_v<T>) {
      raw(&v, sizeof v);
    } else {
      std::uint64_t n = 0;
      raw(&n, sizeof n);
      using E = typename T::value_type;
      // A corrupt length must not allocate without bound: every element takes at least one byte (sizeof(E) for a
      // trivially copyable one; a length word for a vector, string or matrix).
      constexpr bool kFlat = std::is_trivially_copyable_v<E> && !DenseMatrix<E> && !HasArchiveMember<E> && !IsPair<E>::value;
      const std::size_t left = in_.size() - pos_;
      if (n > left / (kFlat ? sizeof(E) : 1)) throw std::runtime_error("checkpoint: truncated archive");
      v.resize(static_cast<std::size_t>(n));
      if constexpr (kFlat)
        raw(v.data(), v.size() * sizeof(E));
      else
        for (auto& e : v) get(e);
    }
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace ouro
