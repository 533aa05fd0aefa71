/* error.h - how the libraries report failure.
 *
 * Library functions never print or exit.  They return a negative errno and
 * fill a struct vmctl_err with one line of context ("mount overlay on
 * /var/lib/...: No such device").  Only the CLI prints it.
 */
#ifndef VMCTL_ERROR_H
#define VMCTL_ERROR_H

#include <stdarg.h>

#define VMCTL_ERR_MAX 1024

struct vmctl_err {
	int code;                /* positive errno of the first failure */
	char msg[VMCTL_ERR_MAX]; /* one line, no trailing newline */
};

/* Fills err with "<fmt>: strerror(errnum)" and returns -errnum.  errnum may be
 * given negative (as returned by a library call).  An errnum of 0 stands for
 * EINVAL with no strerror suffix appended. */
int vmctl_error(struct vmctl_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like vmctl_error() but never appends strerror(); for semantic errors
 * ("unknown image 'foo'") where the errno text would only confuse. */
int vmctl_errorf(struct vmctl_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with more context: "<fmt>: <old msg>".
 * Returns -err->code so it can be used as `return vmctl_error_wrap(...)`. */
int vmctl_error_wrap(struct vmctl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#ifdef __clang_analyzer__
/* Where they are called the analyzer sees only the prototypes above, and
 * explores a "returned >= 0" path that does not exist: on it, callers that
 * `return vmctl_error(...)` seem to succeed with their outputs unset.  This
 * tells it what the comments say, that the result is negative (analyzer
 * builds only; error.c #undefs these to define the functions).  A
 * statement expression, not a function: the analyzer stops inlining calls
 * a few levels deep, and a helper would be opaque to it there. */
#define vmctl_error_negative(call)                                             \
	({                                                                     \
		int _vmctl_r = call;                                           \
		if (_vmctl_r >= 0)                                             \
			__builtin_unreachable();                               \
		_vmctl_r;                                                      \
	})
#define vmctl_error(...) vmctl_error_negative(vmctl_error(__VA_ARGS__))
#define vmctl_errorf(...) vmctl_error_negative(vmctl_errorf(__VA_ARGS__))
#define vmctl_error_wrap(...)                                                  \
	vmctl_error_negative(vmctl_error_wrap(__VA_ARGS__))
#endif

/* Resets err to "no error". */
void vmctl_error_clear(struct vmctl_err *err);

#endif
