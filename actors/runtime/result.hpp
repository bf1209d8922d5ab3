#pragma once
// result<T>: a reply or the error that replaced it. Expected failures (timeout, full mailbox)
// are values, not exceptions; value() throws only when the caller chose not to look.
#include <boost/system/errc.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <type_traits>
#include <utility>
#include <variant>

namespace troupe {

template <class T>
class [[nodiscard]] result {
 public:
  using value_type = T;

  // Empty-handed: only what co_spawn/futures build before the real result arrives.
  result() : v_(std::in_place_index<1>, make_error_code(boost::system::errc::operation_canceled)) {}
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  result(boost::system::error_code ec) : v_(std::in_place_index<1>, ec) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  boost::system::error_code error() const noexcept {
    return has_value() ? boost::system::error_code{} : std::get<1>(v_);
  }

  T& value() & { check(); return std::get<0>(v_); }
  const T& value() const& { check(); return std::get<0>(v_); }
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  friend bool operator==(const result& r, const T& v) { return r.has_value() && std::get<0>(r.v_) == v; }

 private:
  void check() const {
    if (!has_value()) throw boost::system::system_error(std::get<1>(v_));
  }
  std::variant<T, boost::system::error_code> v_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;
  result() = default;
  result(boost::system::error_code ec) : ec_(ec) {}  // NOLINT
  bool has_value() const noexcept { return !ec_; }
  explicit operator bool() const noexcept { return has_value(); }
  boost::system::error_code error() const noexcept { return ec_; }
  void value() const {
    if (ec_) throw boost::system::system_error(ec_);
  }

 private:
  boost::system::error_code ec_;
};

}  // namespace troupe
