#pragma once
// How the runtime finds and calls an actor's handlers, and what each message's reply type is.
//
// An actor A declares `using message = std::variant<...>` and one `handle` overload per message:
//   R handle(M msg)   R handle(M msg, actor_context<A>& ctx)   (R may be void or awaitable<R>)
// With `using behaviour = std::variant<B1, B2...>` it also takes the current behaviour first:
//   R handle(B1& state, M msg [, ctx])   — and ctx.become(B2{...}) switches for the next message.
#include <boost/asio/awaitable.hpp>

#include <type_traits>
#include <utility>
#include <variant>

namespace troupe {

template <class A>
class actor_context;

template <class A>
concept has_behaviours = requires { typename A::behaviour; };

namespace detail {
template <class A>
struct behaviour_of {
  using type = std::monostate;
  using first = std::monostate;
};
template <has_behaviours A>
struct behaviour_of<A> {
  using type = typename A::behaviour;
  using first = std::variant_alternative_t<0, type>;
};

template <class T>
struct unwrap_awaitable {
  using type = T;
  static constexpr bool is_async = false;
};
template <class T, class E>
struct unwrap_awaitable<boost::asio::awaitable<T, E>> {
  using type = T;
  static constexpr bool is_async = true;
};

template <class M, class V>
struct is_alternative;
template <class M, class... Ts>
struct is_alternative<M, std::variant<Ts...>> : std::disjunction<std::is_same<M, Ts>...> {};
}  // namespace detail

template <class A>
using behaviour_t = typename detail::behaviour_of<A>::type;

template <class A, class M>
concept accepts = detail::is_alternative<std::decay_t<M>, typename A::message>::value;

// Calls A's handler for `m` in behaviour `b` (a std::monostate when A has only one behaviour).
template <class A, class B, class M>
decltype(auto) call_handler(A& a, B& b, M&& m, actor_context<A>& ctx) {
  if constexpr (has_behaviours<A>) {
    if constexpr (requires { a.handle(b, std::forward<M>(m), ctx); })
      return a.handle(b, std::forward<M>(m), ctx);
    else
      return a.handle(b, std::forward<M>(m));
  } else {
    (void)b;
    if constexpr (requires { a.handle(std::forward<M>(m), ctx); })
      return a.handle(std::forward<M>(m), ctx);
    else
      return a.handle(std::forward<M>(m));
  }
}

template <class A, class M>
using raw_reply_t = decltype(call_handler(std::declval<A&>(),
                                          std::declval<typename detail::behaviour_of<A>::first&>(),
                                          std::declval<M&&>(), std::declval<actor_context<A>&>()));

// What `ask(M)` yields to the asker: the handler's return type, awaitable<> unwrapped.
template <class A, class M>
using reply_t = typename detail::unwrap_awaitable<raw_reply_t<A, M>>::type;

// True when A's handler for M is a coroutine (awaitable<...>).
template <class A, class M>
inline constexpr bool is_async_handler = detail::unwrap_awaitable<raw_reply_t<A, M>>::is_async;

}  // namespace troupe
