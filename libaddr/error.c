/*
 * error.c - error codes and the caller-owned error struct
 *
 * EXPORTS
 *	addr_strerror()		static text of an ADDR_E* code
 *	addr__error_set()	fill a nullable struct addr_error
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "addr_int.h"

const char *addr_strerror(int code)
{
	switch (code) {
	case ADDR_OK: return "success";
	case ADDR_ESYNTAX: return "syntax error";
	case ADDR_ETOOLONG: return "too long";
	case ADDR_ENOMEM: return "out of memory";
	case ADDR_EIO: return "input/output error";
	case ADDR_ECONFLICT: return "conflict";
	case ADDR_EINVAL: return "invalid argument";
	case ADDR_ENOTSUP: return "not supported";
	default: return "unknown error";
	}
}

int addr__error_set(struct addr_error *err, int code, size_t offset,
		    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->diag = 0;
	err->offset = offset;
	err->line = 0;
	err->column = 0;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}
