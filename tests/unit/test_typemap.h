/*
 * What the type map's unit-test suites share: columns described as
 * information_schema would describe them, and resolved through the type map.
 */
#ifndef TESTS_UNIT_TEST_TYPEMAP_H
#define TESTS_UNIT_TEST_TYPEMAP_H

#include "common/typemap.h"

/* source: a column of the given types with every number NULL (-1) */
typemap_source source(const char *data_type, const char *column_type);

/* resolve: resolves src, which must succeed */
typemap_column resolve(const typemap_source *src);

/* column_of: a resolved column for a data type (numbers NULL) */
typemap_column column_of(const char *data_type, const char *column_type);

/* column_with_override: a resolved column with an override */
typemap_column column_with_override(const char *data_type, const char *column_type,
									const char *override);

#endif
