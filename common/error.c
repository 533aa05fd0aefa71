#include "error.h"

/* The definitions: not the analyzer-only wrappers of error.h. */
#undef vmctl_error
#undef vmctl_errorf
#undef vmctl_error_wrap

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int set_error(struct vmctl_err *err, int errnum, int with_strerror,
		     const char *fmt, va_list ap)
{
	if (errnum < 0)
		errnum = -errnum;
	if (errnum == 0) {
		errnum = EINVAL;
		with_strerror = 0;
	}
	if (!err)
		return -errnum;
	err->code = errnum;
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		n = 0;
	if (with_strerror && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s",
			 strerror(errnum));
	return -errnum;
}

int vmctl_error(struct vmctl_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = set_error(err, errnum, 1, fmt, ap);
	va_end(ap);
	return r;
}

int vmctl_errorf(struct vmctl_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = set_error(err, errnum, 0, fmt, ap);
	va_end(ap);
	return r;
}

int vmctl_error_wrap(struct vmctl_err *err, const char *fmt, ...)
{
	if (!err)
		return -EINVAL;
	char prefix[VMCTL_ERR_MAX];
	char old[VMCTL_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	if (err->code == 0)
		err->code = EINVAL;
	return -err->code;
}

void vmctl_error_clear(struct vmctl_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}
