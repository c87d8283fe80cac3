/* sim_assert.h - always-on assertions for broken internal contracts.
 *
 * A failed SIM_ASSERT is a bug in domino, never bad input: bad input is
 * reported by the loader as FILE:LINE:COL diagnostics. The assert prints file,
 * line, function and expression and aborts. It stays on in release builds
 * because a simulator that silently continues from a broken invariant
 * produces numbers nobody should trust. SIM_DEBUG_ASSERT is for checks on the
 * hot path that are too costly to keep on (removed by NDEBUG).
 *
 * Every failure funnels through sim_assert_failed(), one place to set a
 * breakpoint.
 */
#ifndef SIM_ASSERT_H
#define SIM_ASSERT_H

#if defined(__GNUC__)
#define SIM_NORETURN     __attribute__((noreturn))
#define SIM_LIKELY(x)    __builtin_expect(!!(x), 1)
#define SIM_UNLIKELY(x)  __builtin_expect(!!(x), 0)
#define SIM_PRINTF(f, a) __attribute__((format(printf, f, a)))
/* Start loading the line at address p; never faults, whatever p is. */
#define SIM_PREFETCH(p) __builtin_prefetch(p)
/* Keeps a rare path (and the registers it saves) out of its hot caller. */
#define SIM_NOINLINE __attribute__((noinline))
/* Inlines a small function that would otherwise be called, and make its
 * caller save registers across the call. */
#define SIM_ALWAYS_INLINE inline __attribute__((always_inline))
/* Out of line and opaque to the optimiser (gcc's noipa: no clone, and no
 * deleted call to a function whose only effect is a prefetch). */
#if defined(__clang__)
#define SIM_OUT_OF_LINE __attribute__((noinline))
#else
#define SIM_OUT_OF_LINE __attribute__((noipa))
#endif
#else
#define SIM_NORETURN
#define SIM_LIKELY(x)   (x)
#define SIM_UNLIKELY(x) (x)
#define SIM_PRINTF(f, a)
#define SIM_PREFETCH(p) ((void)(p))
#define SIM_NOINLINE
#define SIM_ALWAYS_INLINE inline
#define SIM_OUT_OF_LINE
#endif

SIM_NORETURN void sim_assert_failed(const char *file, int line, const char *func, const char *expr);

#define SIM_ASSERT(x)                                                                              \
    (SIM_LIKELY(x) ? (void)0 : sim_assert_failed(__FILE__, __LINE__, __func__, #x))

#ifdef NDEBUG
#define SIM_DEBUG_ASSERT(x) ((void)0)
#else
#define SIM_DEBUG_ASSERT(x) SIM_ASSERT(x)
#endif

#define SIM_UNREACHABLE() sim_assert_failed(__FILE__, __LINE__, __func__, "unreachable")

#endif
