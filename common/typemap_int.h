/*
 * The type map's internal declarations: NOT a public interface. Only the
 * type map's own parts include this (resolving columns and their defaults,
 * encoding values); every other module uses typemap.h alone.
 *
 * What the parts share is the checking of a value's shape in MariaDB's text
 * form: a column default is a value too, and is checked with the same rules
 * as the values that are copied into the column.
 */
#ifndef COMMON_TYPEMAP_INT_H
#define COMMON_TYPEMAP_INT_H

#include <stdbool.h>
#include <stddef.h>

/* typemap_set_err: fills errbuf, if there is one */
void typemap_set_err(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* typemap_shape_int: [+-]digits */
bool typemap_shape_int(const char *s, size_t len);

/* typemap_shape_number: [+-]digits[.digits], then an exponent when allowed */
bool typemap_shape_number(const char *s, size_t len, bool exponent);

/* typemap_int_is_zero: for a value typemap_shape_int accepted, whether it is zero */
bool typemap_int_is_zero(const char *s, size_t len);

/* typemap_shape_date: "YYYY-MM-DD", and with with_time " HH:MM:SS[.f{1,6}]";
 * *zero is set when the year, month or day is zero */
bool typemap_shape_date(const char *s, size_t len, bool with_time, bool *zero);

/* typemap_shape_time: [-]H{1,3}:MM:SS[.f{1,6}], MariaDB's TIME text */
bool typemap_shape_time(const char *s, size_t len);

#endif
