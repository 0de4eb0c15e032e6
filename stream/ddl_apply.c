/*
 * Interpreting DDL into a table's description (ddl_apply.h).
 *
 * It works like this: the description's JSON is read into a da_table (the
 * "tables" row's fields, the columns as their twelve information_schema
 * strings, the indexes as name, uniqueness, type and parts, the recorded
 * JSON checks). The statement is read with ddl.c's lexer, one clause at a
 * time, and each clause changes the da_table in place, in statement order
 * (MariaDB reads an ALTER's clauses against the table as it was, but for the
 * clauses a binlog can hold, in order is the same result). A column
 * definition is read into a da_coldef (type words, attributes, default as
 * written), then normalised into the row information_schema shows: the
 * display widths of integers, DECIMAL's defaults, TEXT(n) by bytes, the
 * collation (explicit, from CHARACTER SET, or the table's default), the
 * default in MariaDB's printed form. Index names MariaDB makes up (the first
 * column's name, then _2, _3 ...) and the index type it shows (BTREE for
 * InnoDB whatever USING says, HASH for a long UNIQUE, FULLTEXT, SPATIAL with
 * SUB_PART 32) are derived the same way. At the end the da_table is written
 * back as JSON, indexes in the order plan.c's query sorts them (PRIMARY
 * first, then by name as information_schema's utf8mb3_general_ci compares
 * them).
 *
 * Everything not understood stops the statement with a why; nothing is
 * approximated. The collation table is MariaDB 10.11's (information_schema
 * COLLATIONS rows with an id, CHARACTER_SETS' defaults and maximum lengths).
 */
#include "stream/ddl_apply.h"

#include "stream/ddl.h"
#include "common/xalloc.h"

#include <jansson.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- MariaDB 10.11's collations and character sets ---- */

typedef struct da_collation {
	const char *name;
	unsigned    id;
	const char *charset;
} da_collation;

typedef struct da_charset {
	const char *name;
	const char *dflt;           /* its default collation */
	unsigned    maxlen;         /* bytes per character, at most */
} da_charset;

static const da_collation collations[] = {
	{ "big5_chinese_ci", 1, "big5" },
	{ "latin2_czech_cs", 2, "latin2" },
	{ "dec8_swedish_ci", 3, "dec8" },
	{ "cp850_general_ci", 4, "cp850" },
	{ "latin1_german1_ci", 5, "latin1" },
	{ "hp8_english_ci", 6, "hp8" },
	{ "koi8r_general_ci", 7, "koi8r" },
	{ "latin1_swedish_ci", 8, "latin1" },
	{ "latin2_general_ci", 9, "latin2" },
	{ "swe7_swedish_ci", 10, "swe7" },
	{ "ascii_general_ci", 11, "ascii" },
	{ "ujis_japanese_ci", 12, "ujis" },
	{ "sjis_japanese_ci", 13, "sjis" },
	{ "cp1251_bulgarian_ci", 14, "cp1251" },
	{ "latin1_danish_ci", 15, "latin1" },
	{ "hebrew_general_ci", 16, "hebrew" },
	{ "tis620_thai_ci", 18, "tis620" },
	{ "euckr_korean_ci", 19, "euckr" },
	{ "latin7_estonian_cs", 20, "latin7" },
	{ "latin2_hungarian_ci", 21, "latin2" },
	{ "koi8u_general_ci", 22, "koi8u" },
	{ "cp1251_ukrainian_ci", 23, "cp1251" },
	{ "gb2312_chinese_ci", 24, "gb2312" },
	{ "greek_general_ci", 25, "greek" },
	{ "cp1250_general_ci", 26, "cp1250" },
	{ "latin2_croatian_ci", 27, "latin2" },
	{ "gbk_chinese_ci", 28, "gbk" },
	{ "cp1257_lithuanian_ci", 29, "cp1257" },
	{ "latin5_turkish_ci", 30, "latin5" },
	{ "latin1_german2_ci", 31, "latin1" },
	{ "armscii8_general_ci", 32, "armscii8" },
	{ "utf8mb3_general_ci", 33, "utf8mb3" },
	{ "cp1250_czech_cs", 34, "cp1250" },
	{ "ucs2_general_ci", 35, "ucs2" },
	{ "cp866_general_ci", 36, "cp866" },
	{ "keybcs2_general_ci", 37, "keybcs2" },
	{ "macce_general_ci", 38, "macce" },
	{ "macroman_general_ci", 39, "macroman" },
	{ "cp852_general_ci", 40, "cp852" },
	{ "latin7_general_ci", 41, "latin7" },
	{ "latin7_general_cs", 42, "latin7" },
	{ "macce_bin", 43, "macce" },
	{ "cp1250_croatian_ci", 44, "cp1250" },
	{ "utf8mb4_general_ci", 45, "utf8mb4" },
	{ "utf8mb4_bin", 46, "utf8mb4" },
	{ "latin1_bin", 47, "latin1" },
	{ "latin1_general_ci", 48, "latin1" },
	{ "latin1_general_cs", 49, "latin1" },
	{ "cp1251_bin", 50, "cp1251" },
	{ "cp1251_general_ci", 51, "cp1251" },
	{ "cp1251_general_cs", 52, "cp1251" },
	{ "macroman_bin", 53, "macroman" },
	{ "utf16_general_ci", 54, "utf16" },
	{ "utf16_bin", 55, "utf16" },
	{ "utf16le_general_ci", 56, "utf16le" },
	{ "cp1256_general_ci", 57, "cp1256" },
	{ "cp1257_bin", 58, "cp1257" },
	{ "cp1257_general_ci", 59, "cp1257" },
	{ "utf32_general_ci", 60, "utf32" },
	{ "utf32_bin", 61, "utf32" },
	{ "utf16le_bin", 62, "utf16le" },
	{ "binary", 63, "binary" },
	{ "armscii8_bin", 64, "armscii8" },
	{ "ascii_bin", 65, "ascii" },
	{ "cp1250_bin", 66, "cp1250" },
	{ "cp1256_bin", 67, "cp1256" },
	{ "cp866_bin", 68, "cp866" },
	{ "dec8_bin", 69, "dec8" },
	{ "greek_bin", 70, "greek" },
	{ "hebrew_bin", 71, "hebrew" },
	{ "hp8_bin", 72, "hp8" },
	{ "keybcs2_bin", 73, "keybcs2" },
	{ "koi8r_bin", 74, "koi8r" },
	{ "koi8u_bin", 75, "koi8u" },
	{ "latin2_bin", 77, "latin2" },
	{ "latin5_bin", 78, "latin5" },
	{ "latin7_bin", 79, "latin7" },
	{ "cp850_bin", 80, "cp850" },
	{ "cp852_bin", 81, "cp852" },
	{ "swe7_bin", 82, "swe7" },
	{ "utf8mb3_bin", 83, "utf8mb3" },
	{ "big5_bin", 84, "big5" },
	{ "euckr_bin", 85, "euckr" },
	{ "gb2312_bin", 86, "gb2312" },
	{ "gbk_bin", 87, "gbk" },
	{ "sjis_bin", 88, "sjis" },
	{ "tis620_bin", 89, "tis620" },
	{ "ucs2_bin", 90, "ucs2" },
	{ "ujis_bin", 91, "ujis" },
	{ "geostd8_general_ci", 92, "geostd8" },
	{ "geostd8_bin", 93, "geostd8" },
	{ "latin1_spanish_ci", 94, "latin1" },
	{ "cp932_japanese_ci", 95, "cp932" },
	{ "cp932_bin", 96, "cp932" },
	{ "eucjpms_japanese_ci", 97, "eucjpms" },
	{ "eucjpms_bin", 98, "eucjpms" },
	{ "cp1250_polish_ci", 99, "cp1250" },
	{ "utf16_unicode_ci", 101, "utf16" },
	{ "utf16_icelandic_ci", 102, "utf16" },
	{ "utf16_latvian_ci", 103, "utf16" },
	{ "utf16_romanian_ci", 104, "utf16" },
	{ "utf16_slovenian_ci", 105, "utf16" },
	{ "utf16_polish_ci", 106, "utf16" },
	{ "utf16_estonian_ci", 107, "utf16" },
	{ "utf16_spanish_ci", 108, "utf16" },
	{ "utf16_swedish_ci", 109, "utf16" },
	{ "utf16_turkish_ci", 110, "utf16" },
	{ "utf16_czech_ci", 111, "utf16" },
	{ "utf16_danish_ci", 112, "utf16" },
	{ "utf16_lithuanian_ci", 113, "utf16" },
	{ "utf16_slovak_ci", 114, "utf16" },
	{ "utf16_spanish2_ci", 115, "utf16" },
	{ "utf16_roman_ci", 116, "utf16" },
	{ "utf16_persian_ci", 117, "utf16" },
	{ "utf16_esperanto_ci", 118, "utf16" },
	{ "utf16_hungarian_ci", 119, "utf16" },
	{ "utf16_sinhala_ci", 120, "utf16" },
	{ "utf16_german2_ci", 121, "utf16" },
	{ "utf16_croatian_mysql561_ci", 122, "utf16" },
	{ "utf16_unicode_520_ci", 123, "utf16" },
	{ "utf16_vietnamese_ci", 124, "utf16" },
	{ "ucs2_unicode_ci", 128, "ucs2" },
	{ "ucs2_icelandic_ci", 129, "ucs2" },
	{ "ucs2_latvian_ci", 130, "ucs2" },
	{ "ucs2_romanian_ci", 131, "ucs2" },
	{ "ucs2_slovenian_ci", 132, "ucs2" },
	{ "ucs2_polish_ci", 133, "ucs2" },
	{ "ucs2_estonian_ci", 134, "ucs2" },
	{ "ucs2_spanish_ci", 135, "ucs2" },
	{ "ucs2_swedish_ci", 136, "ucs2" },
	{ "ucs2_turkish_ci", 137, "ucs2" },
	{ "ucs2_czech_ci", 138, "ucs2" },
	{ "ucs2_danish_ci", 139, "ucs2" },
	{ "ucs2_lithuanian_ci", 140, "ucs2" },
	{ "ucs2_slovak_ci", 141, "ucs2" },
	{ "ucs2_spanish2_ci", 142, "ucs2" },
	{ "ucs2_roman_ci", 143, "ucs2" },
	{ "ucs2_persian_ci", 144, "ucs2" },
	{ "ucs2_esperanto_ci", 145, "ucs2" },
	{ "ucs2_hungarian_ci", 146, "ucs2" },
	{ "ucs2_sinhala_ci", 147, "ucs2" },
	{ "ucs2_german2_ci", 148, "ucs2" },
	{ "ucs2_croatian_mysql561_ci", 149, "ucs2" },
	{ "ucs2_unicode_520_ci", 150, "ucs2" },
	{ "ucs2_vietnamese_ci", 151, "ucs2" },
	{ "ucs2_general_mysql500_ci", 159, "ucs2" },
	{ "utf32_unicode_ci", 160, "utf32" },
	{ "utf32_icelandic_ci", 161, "utf32" },
	{ "utf32_latvian_ci", 162, "utf32" },
	{ "utf32_romanian_ci", 163, "utf32" },
	{ "utf32_slovenian_ci", 164, "utf32" },
	{ "utf32_polish_ci", 165, "utf32" },
	{ "utf32_estonian_ci", 166, "utf32" },
	{ "utf32_spanish_ci", 167, "utf32" },
	{ "utf32_swedish_ci", 168, "utf32" },
	{ "utf32_turkish_ci", 169, "utf32" },
	{ "utf32_czech_ci", 170, "utf32" },
	{ "utf32_danish_ci", 171, "utf32" },
	{ "utf32_lithuanian_ci", 172, "utf32" },
	{ "utf32_slovak_ci", 173, "utf32" },
	{ "utf32_spanish2_ci", 174, "utf32" },
	{ "utf32_roman_ci", 175, "utf32" },
	{ "utf32_persian_ci", 176, "utf32" },
	{ "utf32_esperanto_ci", 177, "utf32" },
	{ "utf32_hungarian_ci", 178, "utf32" },
	{ "utf32_sinhala_ci", 179, "utf32" },
	{ "utf32_german2_ci", 180, "utf32" },
	{ "utf32_croatian_mysql561_ci", 181, "utf32" },
	{ "utf32_unicode_520_ci", 182, "utf32" },
	{ "utf32_vietnamese_ci", 183, "utf32" },
	{ "utf8mb3_unicode_ci", 192, "utf8mb3" },
	{ "utf8mb3_icelandic_ci", 193, "utf8mb3" },
	{ "utf8mb3_latvian_ci", 194, "utf8mb3" },
	{ "utf8mb3_romanian_ci", 195, "utf8mb3" },
	{ "utf8mb3_slovenian_ci", 196, "utf8mb3" },
	{ "utf8mb3_polish_ci", 197, "utf8mb3" },
	{ "utf8mb3_estonian_ci", 198, "utf8mb3" },
	{ "utf8mb3_spanish_ci", 199, "utf8mb3" },
	{ "utf8mb3_swedish_ci", 200, "utf8mb3" },
	{ "utf8mb3_turkish_ci", 201, "utf8mb3" },
	{ "utf8mb3_czech_ci", 202, "utf8mb3" },
	{ "utf8mb3_danish_ci", 203, "utf8mb3" },
	{ "utf8mb3_lithuanian_ci", 204, "utf8mb3" },
	{ "utf8mb3_slovak_ci", 205, "utf8mb3" },
	{ "utf8mb3_spanish2_ci", 206, "utf8mb3" },
	{ "utf8mb3_roman_ci", 207, "utf8mb3" },
	{ "utf8mb3_persian_ci", 208, "utf8mb3" },
	{ "utf8mb3_esperanto_ci", 209, "utf8mb3" },
	{ "utf8mb3_hungarian_ci", 210, "utf8mb3" },
	{ "utf8mb3_sinhala_ci", 211, "utf8mb3" },
	{ "utf8mb3_german2_ci", 212, "utf8mb3" },
	{ "utf8mb3_croatian_mysql561_ci", 213, "utf8mb3" },
	{ "utf8mb3_unicode_520_ci", 214, "utf8mb3" },
	{ "utf8mb3_vietnamese_ci", 215, "utf8mb3" },
	{ "utf8mb3_general_mysql500_ci", 223, "utf8mb3" },
	{ "utf8mb4_unicode_ci", 224, "utf8mb4" },
	{ "utf8mb4_icelandic_ci", 225, "utf8mb4" },
	{ "utf8mb4_latvian_ci", 226, "utf8mb4" },
	{ "utf8mb4_romanian_ci", 227, "utf8mb4" },
	{ "utf8mb4_slovenian_ci", 228, "utf8mb4" },
	{ "utf8mb4_polish_ci", 229, "utf8mb4" },
	{ "utf8mb4_estonian_ci", 230, "utf8mb4" },
	{ "utf8mb4_spanish_ci", 231, "utf8mb4" },
	{ "utf8mb4_swedish_ci", 232, "utf8mb4" },
	{ "utf8mb4_turkish_ci", 233, "utf8mb4" },
	{ "utf8mb4_czech_ci", 234, "utf8mb4" },
	{ "utf8mb4_danish_ci", 235, "utf8mb4" },
	{ "utf8mb4_lithuanian_ci", 236, "utf8mb4" },
	{ "utf8mb4_slovak_ci", 237, "utf8mb4" },
	{ "utf8mb4_spanish2_ci", 238, "utf8mb4" },
	{ "utf8mb4_roman_ci", 239, "utf8mb4" },
	{ "utf8mb4_persian_ci", 240, "utf8mb4" },
	{ "utf8mb4_esperanto_ci", 241, "utf8mb4" },
	{ "utf8mb4_hungarian_ci", 242, "utf8mb4" },
	{ "utf8mb4_sinhala_ci", 243, "utf8mb4" },
	{ "utf8mb4_german2_ci", 244, "utf8mb4" },
	{ "utf8mb4_croatian_mysql561_ci", 245, "utf8mb4" },
	{ "utf8mb4_unicode_520_ci", 246, "utf8mb4" },
	{ "utf8mb4_vietnamese_ci", 247, "utf8mb4" },
	{ "utf8mb3_croatian_ci", 576, "utf8mb3" },
	{ "utf8mb3_myanmar_ci", 577, "utf8mb3" },
	{ "utf8mb3_thai_520_w2", 578, "utf8mb3" },
	{ "utf8mb4_croatian_ci", 608, "utf8mb4" },
	{ "utf8mb4_myanmar_ci", 609, "utf8mb4" },
	{ "utf8mb4_thai_520_w2", 610, "utf8mb4" },
	{ "ucs2_croatian_ci", 640, "ucs2" },
	{ "ucs2_myanmar_ci", 641, "ucs2" },
	{ "ucs2_thai_520_w2", 642, "ucs2" },
	{ "utf16_croatian_ci", 672, "utf16" },
	{ "utf16_myanmar_ci", 673, "utf16" },
	{ "utf16_thai_520_w2", 674, "utf16" },
	{ "utf32_croatian_ci", 736, "utf32" },
	{ "utf32_myanmar_ci", 737, "utf32" },
	{ "utf32_thai_520_w2", 738, "utf32" },
	{ "big5_chinese_nopad_ci", 1025, "big5" },
	{ "dec8_swedish_nopad_ci", 1027, "dec8" },
	{ "cp850_general_nopad_ci", 1028, "cp850" },
	{ "hp8_english_nopad_ci", 1030, "hp8" },
	{ "koi8r_general_nopad_ci", 1031, "koi8r" },
	{ "latin1_swedish_nopad_ci", 1032, "latin1" },
	{ "latin2_general_nopad_ci", 1033, "latin2" },
	{ "swe7_swedish_nopad_ci", 1034, "swe7" },
	{ "ascii_general_nopad_ci", 1035, "ascii" },
	{ "ujis_japanese_nopad_ci", 1036, "ujis" },
	{ "sjis_japanese_nopad_ci", 1037, "sjis" },
	{ "hebrew_general_nopad_ci", 1040, "hebrew" },
	{ "tis620_thai_nopad_ci", 1042, "tis620" },
	{ "euckr_korean_nopad_ci", 1043, "euckr" },
	{ "koi8u_general_nopad_ci", 1046, "koi8u" },
	{ "gb2312_chinese_nopad_ci", 1048, "gb2312" },
	{ "greek_general_nopad_ci", 1049, "greek" },
	{ "cp1250_general_nopad_ci", 1050, "cp1250" },
	{ "gbk_chinese_nopad_ci", 1052, "gbk" },
	{ "latin5_turkish_nopad_ci", 1054, "latin5" },
	{ "armscii8_general_nopad_ci", 1056, "armscii8" },
	{ "utf8mb3_general_nopad_ci", 1057, "utf8mb3" },
	{ "ucs2_general_nopad_ci", 1059, "ucs2" },
	{ "cp866_general_nopad_ci", 1060, "cp866" },
	{ "keybcs2_general_nopad_ci", 1061, "keybcs2" },
	{ "macce_general_nopad_ci", 1062, "macce" },
	{ "macroman_general_nopad_ci", 1063, "macroman" },
	{ "cp852_general_nopad_ci", 1064, "cp852" },
	{ "latin7_general_nopad_ci", 1065, "latin7" },
	{ "macce_nopad_bin", 1067, "macce" },
	{ "utf8mb4_general_nopad_ci", 1069, "utf8mb4" },
	{ "utf8mb4_nopad_bin", 1070, "utf8mb4" },
	{ "latin1_nopad_bin", 1071, "latin1" },
	{ "cp1251_nopad_bin", 1074, "cp1251" },
	{ "cp1251_general_nopad_ci", 1075, "cp1251" },
	{ "macroman_nopad_bin", 1077, "macroman" },
	{ "utf16_general_nopad_ci", 1078, "utf16" },
	{ "utf16_nopad_bin", 1079, "utf16" },
	{ "utf16le_general_nopad_ci", 1080, "utf16le" },
	{ "cp1256_general_nopad_ci", 1081, "cp1256" },
	{ "cp1257_nopad_bin", 1082, "cp1257" },
	{ "cp1257_general_nopad_ci", 1083, "cp1257" },
	{ "utf32_general_nopad_ci", 1084, "utf32" },
	{ "utf32_nopad_bin", 1085, "utf32" },
	{ "utf16le_nopad_bin", 1086, "utf16le" },
	{ "armscii8_nopad_bin", 1088, "armscii8" },
	{ "ascii_nopad_bin", 1089, "ascii" },
	{ "cp1250_nopad_bin", 1090, "cp1250" },
	{ "cp1256_nopad_bin", 1091, "cp1256" },
	{ "cp866_nopad_bin", 1092, "cp866" },
	{ "dec8_nopad_bin", 1093, "dec8" },
	{ "greek_nopad_bin", 1094, "greek" },
	{ "hebrew_nopad_bin", 1095, "hebrew" },
	{ "hp8_nopad_bin", 1096, "hp8" },
	{ "keybcs2_nopad_bin", 1097, "keybcs2" },
	{ "koi8r_nopad_bin", 1098, "koi8r" },
	{ "koi8u_nopad_bin", 1099, "koi8u" },
	{ "latin2_nopad_bin", 1101, "latin2" },
	{ "latin5_nopad_bin", 1102, "latin5" },
	{ "latin7_nopad_bin", 1103, "latin7" },
	{ "cp850_nopad_bin", 1104, "cp850" },
	{ "cp852_nopad_bin", 1105, "cp852" },
	{ "swe7_nopad_bin", 1106, "swe7" },
	{ "utf8mb3_nopad_bin", 1107, "utf8mb3" },
	{ "big5_nopad_bin", 1108, "big5" },
	{ "euckr_nopad_bin", 1109, "euckr" },
	{ "gb2312_nopad_bin", 1110, "gb2312" },
	{ "gbk_nopad_bin", 1111, "gbk" },
	{ "sjis_nopad_bin", 1112, "sjis" },
	{ "tis620_nopad_bin", 1113, "tis620" },
	{ "ucs2_nopad_bin", 1114, "ucs2" },
	{ "ujis_nopad_bin", 1115, "ujis" },
	{ "geostd8_general_nopad_ci", 1116, "geostd8" },
	{ "geostd8_nopad_bin", 1117, "geostd8" },
	{ "cp932_japanese_nopad_ci", 1119, "cp932" },
	{ "cp932_nopad_bin", 1120, "cp932" },
	{ "eucjpms_japanese_nopad_ci", 1121, "eucjpms" },
	{ "eucjpms_nopad_bin", 1122, "eucjpms" },
	{ "utf16_unicode_nopad_ci", 1125, "utf16" },
	{ "utf16_unicode_520_nopad_ci", 1147, "utf16" },
	{ "ucs2_unicode_nopad_ci", 1152, "ucs2" },
	{ "ucs2_unicode_520_nopad_ci", 1174, "ucs2" },
	{ "utf32_unicode_nopad_ci", 1184, "utf32" },
	{ "utf32_unicode_520_nopad_ci", 1206, "utf32" },
	{ "utf8mb3_unicode_nopad_ci", 1216, "utf8mb3" },
	{ "utf8mb3_unicode_520_nopad_ci", 1238, "utf8mb3" },
	{ "utf8mb4_unicode_nopad_ci", 1248, "utf8mb4" },
	{ "utf8mb4_unicode_520_nopad_ci", 1270, "utf8mb4" },
};

static const da_charset charsets[] = {
	{ "armscii8", "armscii8_general_ci", 1 },
	{ "ascii", "ascii_general_ci", 1 },
	{ "big5", "big5_chinese_ci", 2 },
	{ "binary", "binary", 1 },
	{ "cp1250", "cp1250_general_ci", 1 },
	{ "cp1251", "cp1251_general_ci", 1 },
	{ "cp1256", "cp1256_general_ci", 1 },
	{ "cp1257", "cp1257_general_ci", 1 },
	{ "cp850", "cp850_general_ci", 1 },
	{ "cp852", "cp852_general_ci", 1 },
	{ "cp866", "cp866_general_ci", 1 },
	{ "cp932", "cp932_japanese_ci", 2 },
	{ "dec8", "dec8_swedish_ci", 1 },
	{ "eucjpms", "eucjpms_japanese_ci", 3 },
	{ "euckr", "euckr_korean_ci", 2 },
	{ "gb2312", "gb2312_chinese_ci", 2 },
	{ "gbk", "gbk_chinese_ci", 2 },
	{ "geostd8", "geostd8_general_ci", 1 },
	{ "greek", "greek_general_ci", 1 },
	{ "hebrew", "hebrew_general_ci", 1 },
	{ "hp8", "hp8_english_ci", 1 },
	{ "keybcs2", "keybcs2_general_ci", 1 },
	{ "koi8r", "koi8r_general_ci", 1 },
	{ "koi8u", "koi8u_general_ci", 1 },
	{ "latin1", "latin1_swedish_ci", 1 },
	{ "latin2", "latin2_general_ci", 1 },
	{ "latin5", "latin5_turkish_ci", 1 },
	{ "latin7", "latin7_general_ci", 1 },
	{ "macce", "macce_general_ci", 1 },
	{ "macroman", "macroman_general_ci", 1 },
	{ "sjis", "sjis_japanese_ci", 2 },
	{ "swe7", "swe7_swedish_ci", 1 },
	{ "tis620", "tis620_thai_ci", 1 },
	{ "ucs2", "ucs2_general_ci", 2 },
	{ "ujis", "ujis_japanese_ci", 3 },
	{ "utf16", "utf16_general_ci", 4 },
	{ "utf16le", "utf16le_general_ci", 4 },
	{ "utf32", "utf32_general_ci", 4 },
	{ "utf8mb3", "utf8mb3_general_ci", 3 },
	{ "utf8mb4", "utf8mb4_general_ci", 4 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* utf8_alias: the 10.6+ name for what the statement calls utf8 (old_mode's
 * UTF8_IS_UTF8MB3, the default) into out */
static const char *
utf8_alias(const char *name, char *out, size_t outlen)
{
	if (strcasecmp(name, "utf8") == 0)
		return "utf8mb3";
	if (strncasecmp(name, "utf8_", 5) == 0) {
		snprintf(out, outlen, "utf8mb3_%s", name + 5);
		return out;
	}
	return name;
}

/* charset_find: a character set by name, or NULL */
static const da_charset *
charset_find(const char *name)
{
	char tmp[80];

	name = utf8_alias(name, tmp, sizeof(tmp));
	for (size_t i = 0; i < NELEM(charsets); i++)
		if (strcasecmp(charsets[i].name, name) == 0)
			return &charsets[i];
	return NULL;
}

/* collation_find: a collation by name, or NULL */
static const da_collation *
collation_find(const char *name)
{
	char tmp[80];

	name = utf8_alias(name, tmp, sizeof(tmp));
	for (size_t i = 0; i < NELEM(collations); i++)
		if (strcasecmp(collations[i].name, name) == 0)
			return &collations[i];
	return NULL;
}

/* collation_by_id: a collation by its id, or NULL */
static const da_collation *
collation_by_id(unsigned id)
{
	for (size_t i = 0; i < NELEM(collations); i++)
		if (collations[i].id == id)
			return &collations[i];
	return NULL;
}

/* ---- the description ---- */

enum {
	C_NAME, C_DT, C_CT, C_CHARLEN, C_NPREC, C_NSCALE, C_DTPREC, C_NULLABLE, C_DEFAULT, C_EXTRA, C_GEN, C_COLL,
	C_NFIELDS
};

typedef struct da_col {
	char       *f[C_NFIELDS];   /* the COLUMNS row; NULL for SQL NULL */
} da_col;

typedef struct da_part {
	char       *col;
	char       *sub_part;       /* NULL when the whole column */
} da_part;

typedef struct da_index {
	char       *name;
	bool        unique;
	char       *type;           /* BTREE, HASH, FULLTEXT, SPATIAL */
	size_t      n;
	da_part    *parts;
} da_index;

typedef struct da_check {
	char       *clause;         /* json_valid(`c`) */
	char       *level;          /* "Column", "Table", or NULL when unknown */
} da_check;

typedef struct da_table {
	char       *tf[5];          /* TABLE_TYPE, TABLE_ROWS, AUTO_INCREMENT, TABLE_COLLATION, ENGINE */
	size_t      ncols;
	da_col     *cols;
	size_t      nix;
	da_index   *ix;
	size_t      nck;
	da_check   *ck;
} da_table;

enum { T_TYPE, T_ROWS, T_AI, T_COLL, T_ENGINE };

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
set_field(char **f, const char *v)
{
	char *n = dup_or_null(v);

	free(*f);
	*f = n;
}

static void
col_free(da_col *c)
{
	for (int i = 0; i < C_NFIELDS; i++)
		free(c->f[i]);
	memset(c, 0, sizeof(*c));
}

static void
index_free(da_index *ix)
{
	free(ix->name);
	free(ix->type);
	for (size_t i = 0; i < ix->n; i++) {
		free(ix->parts[i].col);
		free(ix->parts[i].sub_part);
	}
	free(ix->parts);
	memset(ix, 0, sizeof(*ix));
}

static void
table_free(da_table *t)
{
	for (int i = 0; i < 5; i++)
		free(t->tf[i]);
	for (size_t i = 0; i < t->ncols; i++)
		col_free(&t->cols[i]);
	free(t->cols);
	for (size_t i = 0; i < t->nix; i++)
		index_free(&t->ix[i]);
	free(t->ix);
	for (size_t i = 0; i < t->nck; i++) {
		free(t->ck[i].clause);
		free(t->ck[i].level);
	}
	free(t->ck);
	memset(t, 0, sizeof(*t));
}

/* json_str: a row's field as a C string (NULL for null or absent) */
static const char *
json_str(json_t *row, size_t i)
{
	json_t *v = json_array_get(row, i);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* table_load: described into t; false with why */
static bool
table_load(const char *described, da_table *t, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *d = json_loads(described ? described : "", 0, &jerr);
	json_t *tables, *checks, *columns, *indexes;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(d)) {
		snprintf(why, whylen, "the description is not valid JSON: %s", jerr.text);
		json_decref(d);
		return false;
	}
	tables = json_object_get(d, "tables");
	checks = json_object_get(d, "checks");
	columns = json_object_get(d, "columns");
	indexes = json_object_get(d, "indexes");
	if (!json_is_array(tables) || json_array_size(tables) != 1 || !json_is_array(checks) ||
		!json_is_array(columns) || !json_is_array(indexes)) {
		snprintf(why, whylen, "the description lacks its tables, checks, columns or indexes rows");
		json_decref(d);
		return false;
	}
	for (int i = 0; i < 5; i++)
		t->tf[i] = dup_or_null(json_str(json_array_get(tables, 0), (size_t) i));
	t->ncols = json_array_size(columns);
	t->cols = xcalloc(t->ncols + 1, sizeof(da_col));
	for (size_t i = 0; i < t->ncols; i++)
		for (int f = 0; f < C_NFIELDS; f++)
			t->cols[i].f[f] = dup_or_null(json_str(json_array_get(columns, i), (size_t) f));
	for (size_t r = 0; r < json_array_size(indexes); r++) {
		json_t *row = json_array_get(indexes, r);
		const char *name = json_str(row, 0), *col = json_str(row, 2);
		if (!name || !col)
			continue;
		if (t->nix == 0 || strcmp(t->ix[t->nix - 1].name, name) != 0) {
			t->ix = xrealloc(t->ix, (t->nix + 1) * sizeof(da_index));
			da_index *ix = &t->ix[t->nix++];
			memset(ix, 0, sizeof(*ix));
			ix->name = xstrdup(name);
			ix->unique = json_str(row, 1) && strcmp(json_str(row, 1), "0") == 0;
			ix->type = xstrdup(json_str(row, 4) ? json_str(row, 4) : "BTREE");
		}
		da_index *ix = &t->ix[t->nix - 1];
		ix->parts = xrealloc(ix->parts, (ix->n + 1) * sizeof(da_part));
		ix->parts[ix->n].col = xstrdup(col);
		ix->parts[ix->n].sub_part = dup_or_null(json_str(row, 3));
		ix->n++;
	}
	for (size_t r = 0; r < json_array_size(checks); r++) {
		json_t *row = json_array_get(checks, r);
		if (!json_str(row, 0))
			continue;
		t->ck = xrealloc(t->ck, (t->nck + 1) * sizeof(da_check));
		t->ck[t->nck].clause = xstrdup(json_str(row, 0));
		t->ck[t->nck].level = dup_or_null(json_str(row, 1));
		t->nck++;
	}
	json_decref(d);
	return true;
}

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* name_cmp: information_schema's order of index names: utf8mb3_general_ci,
 * which for ASCII compares upper-cased bytes (only ASCII names get here) */
static int
name_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = toupper((unsigned char) *a), cb = toupper((unsigned char) *b);
		if (ca != cb || !ca)
			return ca - cb;
	}
}

static int
index_order(const void *pa, const void *pb)
{
	const da_index *a = pa, *b = pb;
	bool ap = strcmp(a->name, "PRIMARY") == 0, bp = strcmp(b->name, "PRIMARY") == 0;

	if (ap != bp)
		return ap ? -1 : 1;
	return name_cmp(a->name, b->name);
}

static bool
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char) *s >= 0x80)
			return false;
	return true;
}

/* table_dump: t as the description's JSON (heap); false with why when the
 * index order cannot be known */
static bool
table_dump(da_table *t, char **out, char *why, size_t whylen)
{
	json_t *d = json_object(), *a;

	if (t->nix > 2)
		for (size_t i = 0; i < t->nix; i++)
			if (!is_ascii(t->ix[i].name)) {
				snprintf(why, whylen, "index \"%s\": the order information_schema lists non-ASCII index names in "
						 "is not modelled", t->ix[i].name);
				json_decref(d);
				return false;
			}
	if (t->nix > 1)
		qsort(t->ix, t->nix, sizeof(da_index), index_order);
	a = json_array();
	json_t *row = json_array();
	for (int i = 0; i < 5; i++)
		json_array_append_new(row, jstr(t->tf[i]));
	json_array_append_new(a, row);
	json_object_set_new(d, "tables", a);
	a = json_array();
	for (size_t i = 0; i < t->nck; i++) {
		row = json_array();
		json_array_append_new(row, json_string(t->ck[i].clause));
		if (t->ck[i].level)
			json_array_append_new(row, json_string(t->ck[i].level));
		json_array_append_new(a, row);
	}
	json_object_set_new(d, "checks", a);
	a = json_array();
	for (size_t i = 0; i < t->ncols; i++) {
		row = json_array();
		for (int f = 0; f < C_NFIELDS; f++)
			json_array_append_new(row, jstr(t->cols[i].f[f]));
		json_array_append_new(a, row);
	}
	json_object_set_new(d, "columns", a);
	a = json_array();
	for (size_t i = 0; i < t->nix; i++)
		for (size_t k = 0; k < t->ix[i].n; k++) {
			row = json_array();
			json_array_append_new(row, json_string(t->ix[i].name));
			json_array_append_new(row, json_string(t->ix[i].unique ? "0" : "1"));
			json_array_append_new(row, json_string(t->ix[i].parts[k].col));
			json_array_append_new(row, jstr(t->ix[i].parts[k].sub_part));
			json_array_append_new(row, json_string(t->ix[i].type));
			json_array_append_new(a, row);
		}
	json_object_set_new(d, "indexes", a);
	*out = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	if (!*out) {
		snprintf(why, whylen, "the description could not be written as JSON (a value is not valid UTF-8)");
		return false;
	}
	return true;
}

/* col_find: a column by name (MariaDB compares them case-insensitively), or -1 */
static int
col_find(const da_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcasecmp(t->cols[i].f[C_NAME], name) == 0)
			return (int) i;
	return -1;
}

static int
index_find(const da_table *t, const char *name)
{
	for (size_t i = 0; i < t->nix; i++)
		if (strcasecmp(t->ix[i].name, name) == 0)
			return (int) i;
	return -1;
}

/* ---- the reading context ---- */

typedef struct da_ctx {
	ddl_lexer   lx;
	const char *sql;
	const ddl_apply_env *env;
	da_table   *t;
	char       *why;
	size_t      whylen;
	bool        failed;
	int         unnamed_checks; /* CREATE TABLE: CONSTRAINT_n of table checks */
	bool        creating;       /* CREATE TABLE: FOREIGN KEY indexes wait for the other keys */
	struct da_fk {              /* CREATE TABLE: the indexes FOREIGN KEYs ask for */
		char       *name;
		size_t      n;
		char      **cols;
	}          *fks;
	size_t      nfk;
	bool       *hash_declared;  /* per index of t (CREATE TABLE): USING HASH was written */
} da_ctx;

static bool fail(da_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fail: why = the message and the statement; returns false (once set, kept) */
static bool
fail(da_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return false;
	c->failed = true;
	va_start(ap, fmt);
	int n = vsnprintf(c->why, c->whylen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t) n < c->whylen)
		snprintf(c->why + n, c->whylen - (size_t) n, ", in: %.300s", c->sql);
	return false;
}

/* tok_desc: what a token is, for messages */
static const char *
tok_desc(const ddl_token *tok, char *out, size_t outlen)
{
	if (tok->kind == DDL_TOK_END)
		snprintf(out, outlen, "the end of the statement");
	else
		snprintf(out, outlen, "\"%.*s\"", (int) (tok->len > 40 ? 40 : tok->len), tok->at);
	return out;
}

/* next: the next token; a lexical fault fails the context */
static ddl_tok_kind
next(da_ctx *c, ddl_token *tok)
{
	ddl_tok_kind k = ddl_next(&c->lx, tok);

	if (k == DDL_TOK_ERROR)
		fail(c, "%s", c->lx.err);
	return k;
}

static ddl_tok_kind
peek(da_ctx *c, ddl_token *tok)
{
	ddl_tok_kind k = ddl_peek(&c->lx, tok);

	if (k == DDL_TOK_ERROR)
		fail(c, "%s", c->lx.err);
	return k;
}

static bool
accept(da_ctx *c, const char *kw)
{
	ddl_token tok;

	if (peek(c, &tok) != DDL_TOK_WORD || !ddl_is(&tok, kw))
		return false;
	ddl_next(&c->lx, &tok);
	return true;
}

static bool
accept_punct(da_ctx *c, char ch)
{
	ddl_token tok;

	if (peek(c, &tok) != DDL_TOK_PUNCT || tok.punct != ch)
		return false;
	ddl_next(&c->lx, &tok);
	return true;
}

/* expect: the next token must be the word kw */
static bool
expect(da_ctx *c, const char *kw, const char *what)
{
	ddl_token tok;
	char d[64];

	if (accept(c, kw))
		return true;
	peek(c, &tok);
	return fail(c, "expected %s in %s, not %s", kw, what, tok_desc(&tok, d, sizeof(d)));
}

static bool
expect_punct(da_ctx *c, char ch, const char *what)
{
	ddl_token tok;
	char d[64];

	if (accept_punct(c, ch))
		return true;
	peek(c, &tok);
	return fail(c, "expected %c in %s, not %s", ch, what, tok_desc(&tok, d, sizeof(d)));
}

/* at_clause_end: the next token ends a clause (a comma, a closing
 * parenthesis, the end) */
static bool
at_clause_end(da_ctx *c)
{
	ddl_token tok;
	ddl_tok_kind k = peek(c, &tok);

	return k == DDL_TOK_END || k == DDL_TOK_ERROR || ddl_is_punct(&tok, ',') || ddl_is_punct(&tok, ')') ||
		ddl_is_punct(&tok, ';');
}

/* read_name: an identifier (bare or quoted) into out (DDL_NAME_SIZE) */
static bool
read_name(da_ctx *c, char *out, const char *what)
{
	ddl_token tok;
	char d[64];

	next(c, &tok);
	if (c->failed)
		return false;
	if ((tok.kind != DDL_TOK_WORD && tok.kind != DDL_TOK_QUOTED) || tok.text_len == 0 ||
		tok.text_len >= DDL_NAME_SIZE || memchr(tok.text, '\0', tok.text_len))
		return fail(c, "expected %s, not %s", what, tok_desc(&tok, d, sizeof(d)));
	memcpy(out, tok.text, tok.text_len + 1);
	return true;
}

/* read_table_name: [db.]name; only the name is kept */
static bool
read_table_name(da_ctx *c, char *out)
{
	if (!read_name(c, out, "a table name"))
		return false;
	if (accept_punct(c, '.'))
		return read_name(c, out, "a table name");
	return true;
}

/* skip_parens: past a balanced parenthesised group whose '(' was read */
static bool
skip_parens(da_ctx *c)
{
	ddl_token tok;
	int depth = 1;

	while (depth > 0) {
		if (next(c, &tok) == DDL_TOK_END)
			return fail(c, "a parenthesis is not closed");
		if (c->failed)
			return false;
		if (ddl_is_punct(&tok, '('))
			depth++;
		else if (ddl_is_punct(&tok, ')'))
			depth--;
	}
	return true;
}

/* skip_value: past an option's value: [=] word, number, string, or
 * parenthesised group */
static bool
skip_value(da_ctx *c)
{
	ddl_token tok;
	char d[64];

	(void) accept_punct(c, '=');
	next(c, &tok);
	if (c->failed)
		return false;
	if (tok.kind == DDL_TOK_WORD || tok.kind == DDL_TOK_NUMBER || tok.kind == DDL_TOK_STRING ||
		tok.kind == DDL_TOK_QUOTED)
		return true;
	if (ddl_is_punct(&tok, '('))
		return skip_parens(c);
	return fail(c, "expected an option's value, not %s", tok_desc(&tok, d, sizeof(d)));
}

/* skip_string: past a string literal (COMMENT 'x') */
static bool
skip_string(da_ctx *c, const char *what)
{
	ddl_token tok;
	char d[64];

	(void) accept_punct(c, '=');
	next(c, &tok);
	if (tok.kind != DDL_TOK_STRING)
		return fail(c, "expected a string after %s, not %s", what, tok_desc(&tok, d, sizeof(d)));
	return true;
}

/* ---- column types ---- */

typedef enum da_kind {
	K_INT, K_DECIMAL, K_FLOAT, K_DOUBLE, K_BIT, K_CHAR, K_VARCHAR, K_TEXT, K_ENUM, K_SET, K_BINARY,
	K_VARBINARY, K_BLOB, K_DATE, K_TIME, K_DATETIME, K_TIMESTAMP, K_YEAR, K_JSON, K_INET4, K_INET6,
	K_UUID, K_GEOM
} da_kind;

/* A type as the statement writes it, before the table's defaults apply. */
typedef struct da_type {
	da_kind     kind;
	char        name[64];       /* int, mediumtext, point, ... (DATA_TYPE once final) */
	long long   len;            /* (n) or (M): -1 when absent */
	long long   scale;          /* (M,D): -1 when absent */
	bool        is_unsigned;
	bool        zerofill;
	bool        is_bool;        /* BOOL, BOOLEAN: tinyint(1) */
	bool        binary_attr;    /* CHAR(n) BINARY: the charset's _bin collation */
	char        charset[64];    /* CHARACTER SET as written, "" when none */
	char        collate[64];    /* COLLATE as written, "" when none */
	size_t      nlabels;        /* ENUM, SET */
	char      **labels;
	size_t     *label_len;
} da_type;

static void
type_free(da_type *ty)
{
	for (size_t i = 0; i < ty->nlabels; i++)
		free(ty->labels[i]);
	free(ty->labels);
	free(ty->label_len);
	memset(ty, 0, sizeof(*ty));
}

/* read_length: (n) or (M,D) when present */
static bool
read_length(da_ctx *c, da_type *ty, bool allow_scale)
{
	ddl_token tok;
	char d[64];

	if (!accept_punct(c, '('))
		return true;
	next(c, &tok);
	if (tok.kind != DDL_TOK_NUMBER || strspn(tok.text, "0123456789") != tok.text_len || tok.text_len > 10)
		return fail(c, "expected a length, not %s", tok_desc(&tok, d, sizeof(d)));
	ty->len = strtoll(tok.text, NULL, 10);
	if (allow_scale && accept_punct(c, ',')) {
		next(c, &tok);
		if (tok.kind != DDL_TOK_NUMBER || strspn(tok.text, "0123456789") != tok.text_len || tok.text_len > 3)
			return fail(c, "expected a scale, not %s", tok_desc(&tok, d, sizeof(d)));
		ty->scale = strtoll(tok.text, NULL, 10);
	}
	return expect_punct(c, ')', "a type's length");
}

/* read_labels: ('a','b',...) of ENUM and SET */
static bool
read_labels(da_ctx *c, da_type *ty)
{
	ddl_token tok;
	char d[64];

	if (!expect_punct(c, '(', "ENUM or SET"))
		return false;
	do {
		next(c, &tok);
		if (tok.kind != DDL_TOK_STRING)
			return fail(c, "expected a quoted label, not %s", tok_desc(&tok, d, sizeof(d)));
		for (size_t i = 0; i < tok.text_len; i++)
			if ((unsigned char) tok.text[i] < 0x20 || tok.text[i] == '\\')
				return fail(c, "a label with a control character or a backslash is not modelled");
		if (tok.text_len && tok.text[tok.text_len - 1] == ' ')
			return fail(c, "a label with trailing spaces is not modelled (MariaDB strips them)");
		if (ty->kind == K_SET && memchr(tok.text, ',', tok.text_len))
			return fail(c, "a SET label with a comma");
		ty->labels = xrealloc(ty->labels, (ty->nlabels + 1) * sizeof(char *));
		ty->label_len = xrealloc(ty->label_len, (ty->nlabels + 1) * sizeof(size_t));
		ty->labels[ty->nlabels] = xstrdup(tok.text);
		ty->label_len[ty->nlabels] = tok.text_len;
		ty->nlabels++;
	} while (accept_punct(c, ','));
	return expect_punct(c, ')', "ENUM or SET");
}

/* read_charset_name: a character set or collation name (word, quoted or string) */
static bool
read_charset_name(da_ctx *c, char *out, size_t outlen, const char *what)
{
	ddl_token tok;
	char d[64];

	(void) accept_punct(c, '=');
	next(c, &tok);
	if ((tok.kind != DDL_TOK_WORD && tok.kind != DDL_TOK_QUOTED && tok.kind != DDL_TOK_STRING) ||
		tok.text_len == 0 || tok.text_len >= outlen)
		return fail(c, "expected %s, not %s", what, tok_desc(&tok, d, sizeof(d)));
	memcpy(out, tok.text, tok.text_len + 1);
	return true;
}

/* read_charset_attrs: CHARACTER SET x, CHARSET x, COLLATE y, BINARY, ASCII,
 * UNICODE in any order after a text type */
static bool
read_charset_attrs(da_ctx *c, da_type *ty)
{
	for (;;) {
		if (accept(c, "CHARACTER")) {
			if (!expect(c, "SET", "CHARACTER SET") ||
				!read_charset_name(c, ty->charset, sizeof(ty->charset), "a character set"))
				return false;
		} else if (accept(c, "CHARSET")) {
			if (!read_charset_name(c, ty->charset, sizeof(ty->charset), "a character set"))
				return false;
		} else if (accept(c, "COLLATE")) {
			if (!read_charset_name(c, ty->collate, sizeof(ty->collate), "a collation"))
				return false;
		} else if (accept(c, "BINARY"))
			ty->binary_attr = true;
		else if (accept(c, "ASCII"))
			snprintf(ty->charset, sizeof(ty->charset), "latin1");
		else if (accept(c, "UNICODE"))
			snprintf(ty->charset, sizeof(ty->charset), "ucs2");
		else
			return !c->failed;
	}
}

/* int_type: the integer words */
static bool
int_type(const char *w, char *name)
{
	static const char *const words[][2] = {
		{ "TINYINT", "tinyint" }, { "INT1", "tinyint" }, { "SMALLINT", "smallint" }, { "INT2", "smallint" },
		{ "MEDIUMINT", "mediumint" }, { "INT3", "mediumint" }, { "MIDDLEINT", "mediumint" }, { "INT", "int" },
		{ "INTEGER", "int" }, { "INT4", "int" }, { "BIGINT", "bigint" }, { "INT8", "bigint" },
	};

	for (size_t i = 0; i < NELEM(words); i++)
		if (strcasecmp(w, words[i][0]) == 0) {
			snprintf(name, 64, "%s", words[i][1]);
			return true;
		}
	return false;
}

/* read_type: a data type and its attributes that belong to it (length,
 * UNSIGNED, ZEROFILL, CHARACTER SET, COLLATE) */
/* type_numeric: the integer, decimal, floating point and BIT types; 1
 * read, 0 failed, -1 when w is not one */
static int
type_numeric(da_ctx *c, const char *w, da_type *ty)
{
	if (int_type(w, ty->name)) {
		ty->kind = K_INT;
		if (!read_length(c, ty, false))
			return 0;
	} else if (strcasecmp(w, "BOOL") == 0 || strcasecmp(w, "BOOLEAN") == 0) {
		ty->kind = K_INT;
		ty->is_bool = true;
		snprintf(ty->name, sizeof(ty->name), "tinyint");
		ty->len = 1;
	} else if (strcasecmp(w, "SERIAL") == 0) {
		return fail(c, "SERIAL is read by the column definition");
	} else if (strcasecmp(w, "DECIMAL") == 0 || strcasecmp(w, "DEC") == 0 || strcasecmp(w, "NUMERIC") == 0 ||
			   strcasecmp(w, "FIXED") == 0) {
		ty->kind = K_DECIMAL;
		snprintf(ty->name, sizeof(ty->name), "decimal");
		if (!read_length(c, ty, true))
			return 0;
	} else if (strcasecmp(w, "FLOAT") == 0 || strcasecmp(w, "FLOAT4") == 0) {
		ty->kind = K_FLOAT;
		if (!read_length(c, ty, true))
			return 0;
		if (ty->len >= 0 && ty->scale < 0) {    /* FLOAT(p): float up to 24 bits, else double */
			if (ty->len > 53)
				return fail(c, "FLOAT(%lld) is out of range", ty->len);
			ty->kind = ty->len <= 24 ? K_FLOAT : K_DOUBLE;
			ty->len = -1;
		}
		snprintf(ty->name, sizeof(ty->name), ty->kind == K_FLOAT ? "float" : "double");
	} else if (strcasecmp(w, "DOUBLE") == 0 || strcasecmp(w, "REAL") == 0 || strcasecmp(w, "FLOAT8") == 0) {
		ty->kind = K_DOUBLE;
		snprintf(ty->name, sizeof(ty->name), "double");
		if (strcasecmp(w, "DOUBLE") == 0)
			(void) accept(c, "PRECISION");
		if (!read_length(c, ty, true))
			return 0;
		if (ty->len >= 0 && ty->scale < 0)
			return fail(c, "DOUBLE(M) without a scale");
	} else if (strcasecmp(w, "BIT") == 0) {
		ty->kind = K_BIT;
		snprintf(ty->name, sizeof(ty->name), "bit");
		if (!read_length(c, ty, false))
			return 0;
		if (ty->len < 0)
			ty->len = 1;
		if (ty->len < 1 || ty->len > 64)
			return fail(c, "BIT(%lld) is out of range", ty->len);
	} else
		return -1;
	return c->failed ? 0 : 1;
}

/* type_text: CHAR, VARCHAR, TEXT, ENUM, SET and their synonyms; 1 read, 0
 * failed, -1 when w is not one */
static int
type_text(da_ctx *c, const char *w, da_type *ty)
{
	if (strcasecmp(w, "NATIONAL") == 0 || strcasecmp(w, "NCHAR") == 0 || strcasecmp(w, "NVARCHAR") == 0) {
		bool var = strcasecmp(w, "NVARCHAR") == 0;
		if (strcasecmp(w, "NATIONAL") == 0) {
			if (accept(c, "VARCHAR"))
				var = true;
			else if (!accept(c, "CHAR") && !accept(c, "CHARACTER"))
				return fail(c, "expected CHAR or VARCHAR after NATIONAL");
		}
		if (!var && (accept(c, "VARYING") || accept(c, "VARCHAR")))
			var = true;
		ty->kind = var ? K_VARCHAR : K_CHAR;
		snprintf(ty->charset, sizeof(ty->charset), "utf8mb3");
		if (!read_length(c, ty, false))
			return 0;
	} else if (strcasecmp(w, "CHAR") == 0 || strcasecmp(w, "CHARACTER") == 0) {
		ty->kind = accept(c, "VARYING") ? K_VARCHAR : K_CHAR;
		if (!read_length(c, ty, false))
			return 0;
	} else if (strcasecmp(w, "VARCHAR") == 0 || strcasecmp(w, "VARCHAR2") == 0) {
		ty->kind = K_VARCHAR;
		if (!read_length(c, ty, false))
			return 0;
	} else if (strcasecmp(w, "TINYTEXT") == 0 || strcasecmp(w, "TEXT") == 0 || strcasecmp(w, "MEDIUMTEXT") == 0 ||
			   strcasecmp(w, "LONGTEXT") == 0) {
		ty->kind = K_TEXT;
		snprintf(ty->name, sizeof(ty->name), "%s", w);
		for (char *p = ty->name; *p; p++)
			*p = (char) tolower((unsigned char) *p);
		if (strcmp(ty->name, "text") == 0 && !read_length(c, ty, false))
			return 0;
	} else if (strcasecmp(w, "LONG") == 0) {
		if (accept(c, "VARBINARY")) {
			ty->kind = K_BLOB;
			snprintf(ty->name, sizeof(ty->name), "mediumblob");
		} else {
			(void) accept(c, "VARCHAR");
			ty->kind = K_TEXT;
			snprintf(ty->name, sizeof(ty->name), "mediumtext");
		}
	} else if (strcasecmp(w, "ENUM") == 0 || strcasecmp(w, "SET") == 0) {
		ty->kind = strcasecmp(w, "ENUM") == 0 ? K_ENUM : K_SET;
		snprintf(ty->name, sizeof(ty->name), ty->kind == K_ENUM ? "enum" : "set");
		if (!read_labels(c, ty))
			return 0;
	} else
		return -1;
	return c->failed ? 0 : 1;
}

/* type_other: binary, temporal, JSON, INET4/INET6/UUID and geometry types;
 * 1 read, 0 failed, -1 when w is not one */
static int
type_other(da_ctx *c, const char *w, da_type *ty)
{
	if (strcasecmp(w, "BINARY") == 0 || strcasecmp(w, "VARBINARY") == 0) {
		ty->kind = strcasecmp(w, "BINARY") == 0 ? K_BINARY : K_VARBINARY;
		snprintf(ty->name, sizeof(ty->name), ty->kind == K_BINARY ? "binary" : "varbinary");
		if (!read_length(c, ty, false))
			return 0;
		if (ty->kind == K_BINARY && ty->len < 0)
			ty->len = 1;
		if (ty->kind == K_VARBINARY && ty->len < 0)
			return fail(c, "VARBINARY without a length");
	} else if (strcasecmp(w, "TINYBLOB") == 0 || strcasecmp(w, "BLOB") == 0 || strcasecmp(w, "MEDIUMBLOB") == 0 ||
			   strcasecmp(w, "LONGBLOB") == 0) {
		ty->kind = K_BLOB;
		snprintf(ty->name, sizeof(ty->name), "%s", w);
		for (char *p = ty->name; *p; p++)
			*p = (char) tolower((unsigned char) *p);
		if (strcmp(ty->name, "blob") == 0) {
			if (!read_length(c, ty, false))
				return 0;
			if (ty->len >= 0)   /* BLOB(n): the smallest that holds n bytes */
				snprintf(ty->name, sizeof(ty->name), "%s", ty->len < 256 ? "tinyblob" : ty->len < 65536 ? "blob" :
						 ty->len < 16777216 ? "mediumblob" : "longblob");
		}
	} else if (strcasecmp(w, "DATE") == 0) {
		ty->kind = K_DATE;
		snprintf(ty->name, sizeof(ty->name), "date");
	} else if (strcasecmp(w, "TIME") == 0 || strcasecmp(w, "DATETIME") == 0 || strcasecmp(w, "TIMESTAMP") == 0) {
		ty->kind = strcasecmp(w, "TIME") == 0 ? K_TIME : strcasecmp(w, "DATETIME") == 0 ? K_DATETIME : K_TIMESTAMP;
		snprintf(ty->name, sizeof(ty->name), "%s", ty->kind == K_TIME ? "time" : ty->kind == K_DATETIME ? "datetime" :
				 "timestamp");
		if (!read_length(c, ty, false))
			return 0;
		if (ty->len > 6)
			return fail(c, "fractional precision %lld is out of range", ty->len);
	} else if (strcasecmp(w, "YEAR") == 0) {
		ty->kind = K_YEAR;
		snprintf(ty->name, sizeof(ty->name), "year");
		if (!read_length(c, ty, false))
			return 0;
		if (ty->len >= 0 && ty->len != 4)
			return fail(c, "YEAR(%lld) is not modelled", ty->len);
	} else if (strcasecmp(w, "JSON") == 0) {
		ty->kind = K_JSON;
		snprintf(ty->name, sizeof(ty->name), "longtext");
	} else if (strcasecmp(w, "INET4") == 0 || strcasecmp(w, "INET6") == 0 || strcasecmp(w, "UUID") == 0) {
		ty->kind = strcasecmp(w, "INET4") == 0 ? K_INET4 : strcasecmp(w, "INET6") == 0 ? K_INET6 : K_UUID;
		snprintf(ty->name, sizeof(ty->name), "%s", ty->kind == K_INET4 ? "inet4" : ty->kind == K_INET6 ? "inet6" : "uuid");
	} else {
		static const char *const geom[] = { "GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
			"MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION" };
		for (size_t i = 0; i < NELEM(geom); i++)
			if (strcasecmp(w, geom[i]) == 0) {
				ty->kind = K_GEOM;
				snprintf(ty->name, sizeof(ty->name), "%s", geom[i]);
				for (char *p = ty->name; *p; p++)
					*p = (char) tolower((unsigned char) *p);
				if (accept(c, "REF_SYSTEM_ID"))
					(void) skip_value(c);
				return c->failed ? 0 : 1;
			}
		return -1;
	}
	return c->failed ? 0 : 1;
}

static bool
read_type(da_ctx *c, da_type *ty)
{
	ddl_token tok;
	char w[64], d[64];

	memset(ty, 0, sizeof(*ty));
	ty->len = ty->scale = -1;
	next(c, &tok);
	if (tok.kind != DDL_TOK_WORD || tok.text_len >= sizeof(w))
		return fail(c, "expected a data type, not %s", tok_desc(&tok, d, sizeof(d)));
	memcpy(w, tok.text, tok.text_len + 1);

	int got = type_numeric(c, w, ty);
	bool numeric = got > 0, text = false;
	if (got < 0)
		text = (got = type_text(c, w, ty)) > 0 && ty->kind != K_BLOB;  /* not LONG VARBINARY */
	if (got < 0)
		got = type_other(c, w, ty);
	if (got < 0)
		return fail(c, "data type \"%s\" is not modelled", w);
	if (got == 0)
		return false;
	if (c->failed)
		return false;
	if (numeric) {
		for (;;) {
			if (accept(c, "UNSIGNED"))
				ty->is_unsigned = true;
			else if (accept(c, "SIGNED"))
				;
			else if (accept(c, "ZEROFILL"))
				ty->zerofill = ty->is_unsigned = true;
			else
				break;
		}
	}
	if ((ty->kind == K_CHAR || ty->kind == K_VARCHAR) && ty->len < 0) {
		if (ty->kind == K_VARCHAR)
			return fail(c, "VARCHAR without a length");
		ty->len = 1;
	}
	if (text && !read_charset_attrs(c, ty))
		return false;
	if (ty->kind == K_BLOB || ty->kind == K_BINARY || ty->kind == K_VARBINARY || ty->kind == K_JSON) {
		/* a charset on a binary type is an error; JSON's is utf8mb4_bin whatever */
		if (!read_charset_attrs(c, ty))
			return false;
		if (ty->kind != K_JSON && (ty->charset[0] || ty->collate[0] || ty->binary_attr))
			return fail(c, "a character set on a binary type is not modelled");
	}
	return !c->failed;
}

/* A default (or ON UPDATE) as the statement writes it. */
typedef enum da_dkind { D_NONE, D_NULL, D_NUMBER, D_STRING, D_BITS, D_BOOL, D_FUNC } da_dkind;

typedef struct da_default {
	da_dkind    kind;
	buf         text;           /* NUMBER: digits with sign; STRING: the bytes; BITS: 0/1 */
	bool        truth;          /* BOOL */
	char        func[32];       /* FUNC: current_timestamp, curdate, curtime, uuid, ... */
	int         prec;           /* FUNC: (n), -1 for () or none */
} da_default;

/* func_name: the name MariaDB prints for a function default, or NULL */
static const char *
func_name(const char *w, bool *takes_prec, bool *needs_parens)
{
	static const struct { const char *w; const char *name; bool prec; bool parens; } f[] = {
		{ "CURRENT_TIMESTAMP", "current_timestamp", true, false }, { "NOW", "current_timestamp", true, true },
		{ "LOCALTIME", "current_timestamp", true, false }, { "LOCALTIMESTAMP", "current_timestamp", true, false },
		{ "CURDATE", "curdate", false, true }, { "CURRENT_DATE", "curdate", false, false },
		{ "CURTIME", "curtime", true, true }, { "CURRENT_TIME", "curtime", true, false },
		{ "UUID", "uuid", false, true },
	};

	for (size_t i = 0; i < NELEM(f); i++)
		if (strcasecmp(w, f[i].w) == 0) {
			*takes_prec = f[i].prec;
			*needs_parens = f[i].parens;
			return f[i].name;
		}
	return NULL;
}

/* read_func_args: () or (n) after a function name */
static bool
read_func(da_ctx *c, const char *w, da_default *df)
{
	bool takes_prec, needs_parens;
	const char *name = func_name(w, &takes_prec, &needs_parens);
	ddl_token tok;
	char d[64];

	if (!name)
		return fail(c, "a default of function %s is not modelled", w);
	snprintf(df->func, sizeof(df->func), "%s", name);
	df->kind = D_FUNC;
	df->prec = -1;
	if (!accept_punct(c, '(')) {
		if (needs_parens)
			return fail(c, "expected ( after %s", w);
		return true;
	}
	if (accept_punct(c, ')'))
		return true;
	next(c, &tok);
	if (!takes_prec || tok.kind != DDL_TOK_NUMBER || tok.text_len != 1 || tok.text[0] < '0' || tok.text[0] > '6')
		return fail(c, "the argument %s of %s is not modelled", tok_desc(&tok, d, sizeof(d)), w);
	df->prec = tok.text[0] - '0';
	return expect_punct(c, ')', w);
}

/* read_default: DEFAULT's value: NULL, TRUE/FALSE, a signed number, a string
 * (with an introducer, adjacent strings joined), b'...', a time function or
 * uuid(), or one of those in parentheses */
static bool
read_default(da_ctx *c, da_default *df)
{
	ddl_token tok;
	char d[64];

	buf_reset(&df->text);
	df->kind = D_NONE;
	if (accept_punct(c, '(')) {
		if (!read_default(c, df))
			return false;
		return expect_punct(c, ')', "a default in parentheses");
	}
	next(c, &tok);
	if (c->failed)
		return false;
	if (ddl_is(&tok, "NULL")) {
		df->kind = D_NULL;
		return true;
	}
	if (ddl_is(&tok, "TRUE") || ddl_is(&tok, "FALSE")) {
		df->kind = D_BOOL;
		df->truth = ddl_is(&tok, "TRUE");
		return true;
	}
	if (ddl_is_punct(&tok, '-') || ddl_is_punct(&tok, '+')) {
		bool neg = tok.punct == '-';
		next(c, &tok);
		if (tok.kind != DDL_TOK_NUMBER)
			return fail(c, "a default expression (a sign before %s) is not modelled", tok_desc(&tok, d, sizeof(d)));
		if (neg)
			buf_putc(&df->text, '-');
	}
	if (tok.kind == DDL_TOK_NUMBER) {
		if (tok.text_len > 1 && (tok.text[1] == 'x' || tok.text[1] == 'X'))
			return fail(c, "a hexadecimal default is not modelled");
		buf_append(&df->text, tok.text, tok.text_len);
		df->kind = D_NUMBER;
		return true;
	}
	if (tok.kind == DDL_TOK_WORD && (ddl_is(&tok, "b") || ddl_is(&tok, "x") || ddl_is(&tok, "N") ||
									 tok.text[0] == '_')) {
		ddl_token s;
		bool bits = ddl_is(&tok, "b");
		if (ddl_is(&tok, "x"))
			return fail(c, "a hexadecimal default is not modelled");
		if (tok.text[0] == '_' && !charset_find(tok.text + 1))
			return fail(c, "a default expression (%s) is not modelled", tok_desc(&tok, d, sizeof(d)));
		if (peek(c, &s) == DDL_TOK_STRING && s.at == tok.at + tok.len) {
			next(c, &s);
			if (bits) {
				if (strspn(s.text, "01") != s.text_len)
					return fail(c, "a malformed bit literal");
				buf_append(&df->text, s.text, s.text_len);
				df->kind = D_BITS;
				return true;
			}
			tok = s;
		} else if (tok.text[0] == '_' && s.kind == DDL_TOK_STRING) {
			next(c, &tok);
		}
	}
	if (tok.kind == DDL_TOK_STRING) {
		buf_append(&df->text, tok.text, tok.text_len);
		while (peek(c, &tok) == DDL_TOK_STRING) {
			next(c, &tok);
			buf_append(&df->text, tok.text, tok.text_len);
		}
		if (!df->text.data)
			buf_reserve(&df->text, 1);
		df->kind = D_STRING;
		return !c->failed;
	}
	if (tok.kind == DDL_TOK_WORD) {
		char w[64];
		if (tok.text_len >= sizeof(w))
			return fail(c, "a default expression is not modelled");
		memcpy(w, tok.text, tok.text_len + 1);
		return read_func(c, w, df);
	}
	return fail(c, "a default expression (%s) is not modelled", tok_desc(&tok, d, sizeof(d)));
}

/* ---- column definitions ---- */

typedef struct da_coldef {
	char        name[DDL_NAME_SIZE];
	da_type     ty;
	bool        serial;         /* SERIAL: bigint unsigned NOT NULL AUTO_INCREMENT UNIQUE */
	int         null_spec;      /* 0 none, 1 NULL, 2 NOT NULL */
	da_default  dflt;
	bool        auto_inc;
	bool        on_update;
	int         on_update_prec;
	int         generated;      /* 0 no, 1 VIRTUAL, 2 STORED */
	bool        invisible;
	bool        primary;        /* PRIMARY KEY in the definition */
	bool        unique;         /* UNIQUE in the definition */
	bool        json_check;     /* CHECK (json_valid(this column)) in the definition */
	int         position;       /* 0 none, 1 FIRST, 2 AFTER */
	char        after[DDL_NAME_SIZE];
} da_coldef;

static void
coldef_free(da_coldef *cd)
{
	type_free(&cd->ty);
	buf_free(&cd->dflt.text);
}

/* is_json_valid: the CHECK's expression (after its '(') is json_valid(name);
 * reads to the closing parenthesis either way; *col gets the name */
static bool
read_check(da_ctx *c, char *col, bool *is_json)
{
	ddl_token tok;

	*is_json = false;
	if (!expect_punct(c, '(', "CHECK"))
		return false;
	if (peek(c, &tok) == DDL_TOK_WORD && ddl_is(&tok, "json_valid")) {
		next(c, &tok);
		if (accept_punct(c, '(')) {
			if (peek(c, &tok) == DDL_TOK_WORD || tok.kind == DDL_TOK_QUOTED) {
				if (!read_name(c, col, "a column"))
					return false;
				if (accept_punct(c, ')') && accept_punct(c, ')')) {
					*is_json = true;
					return true;
				}
			}
			if (!skip_parens(c))
				return false;
		}
	}
	return skip_parens(c);
}

/* skip_references: REFERENCES t (cols) [MATCH x] [ON DELETE|UPDATE action] */
static bool
skip_references(da_ctx *c)
{
	char name[DDL_NAME_SIZE];

	if (!read_table_name(c, name))
		return false;
	if (accept_punct(c, '(') && !skip_parens(c))
		return false;
	for (;;) {
		if (accept(c, "MATCH")) {
			if (!read_name(c, name, "FULL, PARTIAL or SIMPLE"))
				return false;
		} else if (accept(c, "ON")) {
			if (!accept(c, "DELETE") && !accept(c, "UPDATE"))
				return fail(c, "expected DELETE or UPDATE after ON");
			if (accept(c, "SET")) {
				if (!accept(c, "NULL") && !accept(c, "DEFAULT"))
					return fail(c, "expected NULL or DEFAULT after SET");
			} else if (accept(c, "NO")) {
				if (!expect(c, "ACTION", "NO ACTION"))
					return false;
			} else if (!accept(c, "RESTRICT") && !accept(c, "CASCADE"))
				return fail(c, "expected a referential action");
		} else
			return !c->failed;
	}
}

/* read_coldef_attrs: the attributes after the type, up to the clause's end
 * (or FIRST / AFTER, which with_position allows) */
static bool
read_coldef_attrs(da_ctx *c, da_coldef *cd, bool with_position)
{
	ddl_token tok;
	char d[64];

	while (!at_clause_end(c)) {
		if (accept(c, "NOT")) {
			if (!expect(c, "NULL", "NOT NULL"))
				return false;
			cd->null_spec = 2;
		} else if (accept(c, "NULL"))
			cd->null_spec = 1;
		else if (accept(c, "DEFAULT")) {
			if (!read_default(c, &cd->dflt))
				return false;
		} else if (accept(c, "AUTO_INCREMENT"))
			cd->auto_inc = true;
		else if (accept(c, "ON")) {
			da_default up = { 0 };
			if (!expect(c, "UPDATE", "ON UPDATE") || !read_default(c, &up))
				return false;
			buf_free(&up.text);
			if (up.kind != D_FUNC || strcmp(up.func, "current_timestamp") != 0)
				return fail(c, "ON UPDATE other than CURRENT_TIMESTAMP");
			cd->on_update = true;
			cd->on_update_prec = up.prec;
		} else if (accept(c, "PRIMARY")) {
			if (!expect(c, "KEY", "PRIMARY KEY"))
				return false;
			cd->primary = true;
		} else if (accept(c, "KEY"))
			cd->primary = true;
		else if (accept(c, "UNIQUE")) {
			(void) accept(c, "KEY");
			cd->unique = true;
		} else if (accept(c, "COMMENT")) {
			if (!skip_string(c, "COMMENT"))
				return false;
		} else if (accept(c, "COLLATE")) {
			if (!read_charset_name(c, cd->ty.collate, sizeof(cd->ty.collate), "a collation"))
				return false;
			if (cd->ty.kind != K_CHAR && cd->ty.kind != K_VARCHAR && cd->ty.kind != K_TEXT &&
				cd->ty.kind != K_ENUM && cd->ty.kind != K_SET && cd->ty.kind != K_JSON)
				return fail(c, "COLLATE on a column of type %s is not modelled", cd->ty.name);
		} else if (accept(c, "GENERATED")) {
			if (!expect(c, "ALWAYS", "GENERATED ALWAYS") || !expect(c, "AS", "GENERATED ALWAYS AS"))
				return false;
			goto generated;
		} else if (accept(c, "AS")) {
generated:
			if (!expect_punct(c, '(', "AS (expression)") || !skip_parens(c))
				return false;
			cd->generated = 1;
			if (accept(c, "STORED") || accept(c, "PERSISTENT"))
				cd->generated = 2;
			else
				(void) accept(c, "VIRTUAL");
		} else if (accept(c, "INVISIBLE"))
			cd->invisible = true;
		else if (accept(c, "CONSTRAINT")) {
			char name[DDL_NAME_SIZE];
			if (!accept(c, "CHECK")) {
				if (!read_name(c, name, "a constraint name") || !expect(c, "CHECK", "CONSTRAINT ... CHECK"))
					return false;
			}
			goto check;
		} else if (accept(c, "CHECK")) {
check:;
			char col[DDL_NAME_SIZE];
			bool is_json;
			if (!read_check(c, col, &is_json))
				return false;
			if (is_json && strcasecmp(col, cd->name) == 0)
				cd->json_check = true;
			else if (is_json)
				return fail(c, "a column's CHECK on another column is not modelled");
		} else if (accept(c, "REFERENCES")) {
			if (!skip_references(c))   /* MariaDB parses and ignores it */
				return false;
		} else if (with_position && accept(c, "FIRST"))
			cd->position = 1;
		else if (with_position && accept(c, "AFTER")) {
			if (!read_name(c, cd->after, "a column after AFTER"))
				return false;
			cd->position = 2;
		} else {
			peek(c, &tok);
			return fail(c, "column attribute %s is not modelled", tok_desc(&tok, d, sizeof(d)));
		}
		if (c->failed)
			return false;
	}
	return !c->failed;
}

/* read_coldef: name type attributes */
static bool
read_coldef(da_ctx *c, da_coldef *cd, bool with_position)
{
	memset(cd, 0, sizeof(*cd));
	if (!read_name(c, cd->name, "a column name"))
		return false;
	if (accept(c, "SERIAL")) {
		cd->serial = true;
		cd->ty.kind = K_INT;
		cd->ty.len = cd->ty.scale = -1;
		snprintf(cd->ty.name, sizeof(cd->ty.name), "bigint");
		cd->ty.is_unsigned = true;
		cd->auto_inc = true;
		cd->null_spec = 2;
		cd->unique = true;
	} else if (!read_type(c, &cd->ty))
		return false;
	return read_coldef_attrs(c, cd, with_position);
}

/* ---- normalising a column into its row ---- */

/* table_collation: the table's default collation, or NULL (c failed) */
static const da_collation *
table_collation(da_ctx *c)
{
	const da_collation *co = c->t->tf[T_COLL] ? collation_find(c->t->tf[T_COLL]) : NULL;

	if (!co)
		fail(c, c->t->tf[T_COLL] ? "the table's collation %s is not modelled" :
			 "the table's default collation is not in its description (recorded by an older version)%s", "");
	return co;
}

/* column_collation: the collation a text column gets */
static const da_collation *
column_collation(da_ctx *c, const da_type *ty)
{
	const da_collation *co = NULL;
	const da_charset *cs = NULL;

	if (ty->kind == K_JSON)
		return collation_find("utf8mb4_bin");
	if (ty->charset[0] && !(cs = charset_find(ty->charset))) {
		fail(c, "character set %s is not modelled", ty->charset);
		return NULL;
	}
	if (ty->collate[0]) {
		co = collation_find(ty->collate);
		if (!co || (cs && strcmp(co->charset, cs->name) != 0)) {
			fail(c, "collation %s is not modelled", ty->collate);
			return NULL;
		}
		return co;
	}
	if (!cs) {
		const da_collation *tc = table_collation(c);
		if (!tc)
			return NULL;
		if (!ty->binary_attr)
			return tc;
		cs = charset_find(tc->charset);
	}
	char bin[80];
	snprintf(bin, sizeof(bin), "%s_bin", cs->name);
	co = ty->binary_attr ? (strcmp(cs->name, "binary") == 0 ? collation_find("binary") : collation_find(bin)) :
		collation_find(cs->dflt);
	if (!co)
		fail(c, "the collation of character set %s is not modelled", cs->name);
	return co;
}

static char *
lld(long long v)
{
	return v < 0 ? NULL : xasprintf("%lld", v);
}

/* quote_string: a string default as MariaDB prints it */
static void
quote_string(buf *out, const char *s, size_t len)
{
	buf_putc(out, '\'');
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
			case '\'': buf_puts(out, "''"); break;
			case '\\': buf_puts(out, "\\\\"); break;
			case '\n': buf_puts(out, "\\n"); break;
			case '\r': buf_puts(out, "\\r"); break;
			case '\0': buf_puts(out, "\\0"); break;
			case '\032': buf_puts(out, "\\Z"); break;
			default: buf_putc(out, s[i]);
		}
	}
	buf_putc(out, '\'');
}

/* plain_number: splits [-]digits[.digits] (no exponent) into sign, integer
 * digits without leading zeros and fraction digits; false for other forms */
static bool
plain_number(const char *s, bool *neg, buf *ip, buf *fp)
{
	*neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	size_t n = strspn(s, "0123456789");
	const char *frac = s[n] == '.' ? s + n + 1 : NULL;
	size_t m = frac ? strspn(frac, "0123456789") : 0;
	if ((n == 0 && m == 0) || (frac ? frac[m] != '\0' : s[n] != '\0'))
		return false;
	while (n > 0 && *s == '0') {
		s++;
		n--;
	}
	buf_append(ip, s, n);
	if (!ip->data)
		buf_reserve(ip, 1);
	if (frac)
		buf_append(fp, frac, m);
	if (!fp->data)
		buf_reserve(fp, 1);
	return true;
}

/* default_number_text: the number a NUMBER, STRING or BOOL default holds,
 * trimmed; NULL when it is no number */
static const char *
default_number_text(const da_default *df, char *tmp, size_t tmplen)
{
	if (df->kind == D_BOOL)
		return df->truth ? "1" : "0";
	if (df->kind == D_NUMBER)
		return df->text.data;
	if (df->kind == D_STRING && df->text.len < tmplen && !memchr(df->text.data, '\0', df->text.len)) {
		snprintf(tmp, tmplen, "%s", df->text.data);
		return tmp;
	}
	return NULL;
}

/* format_int: an integer default; false when it is not one */
static bool
format_int(const da_default *df, bool is_unsigned, buf *out)
{
	char tmp[64];
	const char *s = default_number_text(df, tmp, sizeof(tmp));
	buf ip = BUF_INIT, fp = BUF_INIT;
	bool neg, ok = s && plain_number(s, &neg, &ip, &fp);

	ok = ok && strspn(fp.data, "0") == fp.len && (fp.len == 0 || df->kind != D_STRING) && ip.len <= 20;
	if (ok && neg && ip.len && is_unsigned)
		ok = false;
	if (ok)
		buf_printf(out, "%s%s", neg && ip.len ? "-" : "", ip.len ? ip.data : "0");
	buf_free(&ip);
	buf_free(&fp);
	return ok;
}

/* format_decimal: a DECIMAL(M,D) default, D digits after the point */
static bool
format_decimal(const da_default *df, long long m, long long dd, buf *out)
{
	char tmp[96];
	const char *s = default_number_text(df, tmp, sizeof(tmp));
	buf ip = BUF_INIT, fp = BUF_INIT;
	bool neg, ok = s && plain_number(s, &neg, &ip, &fp);

	if (ok && (long long) fp.len > dd && strspn(fp.data + dd, "0") != fp.len - (size_t) dd)
		ok = false;     /* MariaDB would round */
	if (ok && (long long) ip.len > m - dd)
		ok = false;
	if (ok) {
		bool zero = strspn(ip.data, "0") == ip.len && strspn(fp.data, "0") == fp.len;
		buf_printf(out, "%s%s", neg && !zero ? "-" : "", ip.len ? ip.data : "0");
		if (dd > 0) {
			buf_putc(out, '.');
			for (long long i = 0; i < dd; i++)
				buf_putc(out, i < (long long) fp.len ? fp.data[i] : '0');
		}
	}
	buf_free(&ip);
	buf_free(&fp);
	return ok;
}

/* format_float: a FLOAT or DOUBLE default in the few shapes where MariaDB's
 * printing (shortest round trip, fixed notation) is the number as written */
static bool
format_float(const da_default *df, bool is_float, buf *out)
{
	char tmp[64];
	const char *s = default_number_text(df, tmp, sizeof(tmp));
	buf ip = BUF_INIT, fp = BUF_INIT;
	bool neg, ok = s && plain_number(s, &neg, &ip, &fp);

	if (ok) {
		while (fp.len && fp.data[fp.len - 1] == '0')
			fp.data[--fp.len] = '\0';
		size_t lead = ip.len ? 0 : strspn(fp.data, "0");
		size_t sig = ip.len + fp.len - lead;
		ok = sig <= (is_float ? 6u : 15u) && ip.len <= (is_float ? 6u : 15u) && lead <= 3;
		if (ok && sig == 0)
			neg = false;
		if (ok)
			buf_printf(out, "%s%s%s%s", neg ? "-" : "", ip.len ? ip.data : "0", fp.len ? "." : "",
					   fp.len ? fp.data : "");
	}
	buf_free(&ip);
	buf_free(&fp);
	return ok;
}

/* format_bits: a BIT default as b'...' */
static bool
format_bits(const da_default *df, buf *out)
{
	char bits[80];
	size_t n = 0;

	if (df->kind == D_BITS) {
		const char *s = df->text.data ? df->text.data : "";
		while (*s == '0')
			s++;
		if (strlen(s) >= sizeof(bits))
			return false;
		n = (size_t) snprintf(bits, sizeof(bits), "%s", s);
	} else if (df->kind == D_NUMBER || df->kind == D_BOOL) {
		const char *s = df->kind == D_BOOL ? (df->truth ? "1" : "0") : df->text.data;
		if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
			return false;
		unsigned long long v = strtoull(s, NULL, 10);
		for (int k = 63; k >= 0; k--)
			if (n || (v >> k) & 1)
				bits[n++] = ((v >> k) & 1) ? '1' : '0';
		bits[n] = '\0';
	} else
		return false;
	buf_printf(out, "b'%s'", n ? bits : "0");
	return true;
}

/* digits: n digits at s */
static bool
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char) s[i]))
			return false;
	return true;
}

/* format_temporal: a quoted DATE, TIME, DATETIME or TIMESTAMP default in
 * MariaDB's shape (fraction to the column's precision) */
static bool
format_temporal(const da_default *df, da_kind kind, long long prec, buf *out)
{
	const char *s = df->text.data;
	size_t len = df->text.len;
	char v[64];
	size_t n = 0;
	const char *frac = NULL;

	if (df->kind != D_STRING || len >= 40 || memchr(s, '\0', len))
		return false;
	if (kind == K_TIME) {
		size_t h = strspn(s, "0123456789");
		if (h < 1 || h > 3 || s[h] != ':' || !digits(s + h + 1, 2))
			return false;
		n = (size_t) snprintf(v, sizeof(v), "%s%.*s:%.2s", h == 1 ? "0" : "", (int) h, s, s + h + 1);
		const char *p = s + h + 3;
		if (*p == ':') {
			if (!digits(p + 1, 2))
				return false;
			n += (size_t) snprintf(v + n, sizeof(v) - n, ":%.2s", p + 1);
			p += 3;
		} else
			n += (size_t) snprintf(v + n, sizeof(v) - n, ":00");
		if (*p == '.')
			frac = p + 1;
		else if (*p)
			return false;
	} else {
		if (len < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
			return false;
		n = (size_t) snprintf(v, sizeof(v), "%.10s", s);
		if (kind != K_DATE) {
			if (len == 10)
				n += (size_t) snprintf(v + n, sizeof(v) - n, " 00:00:00");
			else if (len >= 19 && s[10] == ' ' && digits(s + 11, 2) && s[13] == ':' && digits(s + 14, 2) &&
					 s[16] == ':' && digits(s + 17, 2) && (len == 19 || s[19] == '.')) {
				n += (size_t) snprintf(v + n, sizeof(v) - n, " %.8s", s + 11);
				if (len > 19)
					frac = s + 20;
			} else
				return false;
		} else if (len != 10)
			return false;
	}
	if (frac) {
		size_t fl = strlen(frac);
		if (!digits(frac, fl) || fl == 0)
			return false;
		for (size_t i = (size_t) (prec < 0 ? 0 : prec); i < fl; i++)
			if (frac[i] != '0')
				return false;   /* MariaDB would truncate or round */
	}
	if (kind != K_DATE && prec > 0) {
		v[n++] = '.';
		size_t fl = frac ? strlen(frac) : 0;
		for (long long i = 0; i < prec; i++)
			v[n++] = (size_t) i < fl ? frac[i] : '0';
		v[n] = '\0';
	}
	quote_string(out, v, n);
	return true;
}

/* label_find: the label of ty that s names (case-insensitively), or -1 */
static int
label_find(const da_type *ty, const char *s, size_t len)
{
	for (size_t i = 0; i < ty->nlabels; i++)
		if (ty->label_len[i] == len && strncasecmp(ty->labels[i], s, len) == 0)
			return (int) i;
	return -1;
}

/* format_default: the COLUMN_DEFAULT of a column of type ty (final) for df */
static bool
format_default(da_ctx *c, const char *col, const da_type *ty, const da_default *df, buf *out)
{
	bool ok = true;
	char tmp[64];

	if (df->kind == D_NULL) {
		buf_puts(out, "NULL");
		return true;
	}
	if (ty->zerofill)
		return fail(c, "column %s: a default of a ZEROFILL column (MariaDB pads it) is not modelled", col);
	if (df->kind == D_FUNC) {
		bool temporal = ty->kind == K_DATETIME || ty->kind == K_TIMESTAMP || ty->kind == K_DATE || ty->kind == K_TIME;
		if ((strcmp(df->func, "uuid") == 0 && !temporal) || temporal) {
			if (df->prec >= 0)
				buf_printf(out, "%s(%d)", df->func, df->prec);
			else
				buf_printf(out, "%s()", df->func);
			return true;
		}
		return fail(c, "column %s: a default of %s() on a column of type %s is not modelled", col, df->func, ty->name);
	}
	switch (ty->kind) {
		case K_INT:
			ok = format_int(df, ty->is_unsigned, out);
			break;
		case K_YEAR: {
			buf v = BUF_INIT;
			ok = format_int(df, true, &v);
			if (ok) {
				long long y = strtoll(v.data, NULL, 10);
				if (y >= 1 && y <= 69)
					y += 2000;
				else if (y >= 70 && y <= 99)
					y += 1900;
				ok = (y >= 1901 && y <= 2155) || (y == 0 && df->kind != D_NUMBER);
				if (ok)
					buf_printf(out, "%04lld", y);
			}
			buf_free(&v);
			break;
		}
		case K_DECIMAL:
			ok = format_decimal(df, ty->len, ty->scale, out);
			break;
		case K_FLOAT:
		case K_DOUBLE:
			ok = ty->len < 0 && format_float(df, ty->kind == K_FLOAT, out);
			break;
		case K_BIT:
			ok = format_bits(df, out);
			break;
		case K_CHAR:
		case K_VARCHAR:
		case K_TEXT:
		case K_JSON:
		case K_VARBINARY:
		case K_BLOB:
		case K_BINARY:
			if (df->kind == D_STRING) {
				if ((ty->kind == K_CHAR && df->text.len && df->text.data[df->text.len - 1] == ' ') ||
					(ty->kind == K_BINARY && (long long) df->text.len != ty->len))
					ok = false;     /* padding MariaDB strips or adds */
				else
					quote_string(out, df->text.data, df->text.len);
			} else if (df->kind == D_NUMBER || df->kind == D_BOOL) {
				buf v = BUF_INIT;
				ok = df->kind == D_BOOL || strspn(df->text.data, "-0123456789") == df->text.len;
				if (ok && df->kind == D_NUMBER && df->text.data[df->text.len > 1 && df->text.data[0] == '-'] == '0' &&
					df->text.len > 1 + (df->text.data[0] == '-'))
					ok = false;     /* leading zeros: MariaDB prints the number's value */
				if (ok)
					buf_puts(&v, default_number_text(df, tmp, sizeof(tmp)));
				ok = ok && !(ty->kind == K_BINARY && (long long) v.len != ty->len);
				if (ok)
					quote_string(out, v.data, v.len);
				buf_free(&v);
			} else
				ok = false;
			break;
		case K_ENUM: {
			int i = df->kind == D_STRING ? label_find(ty, df->text.data, df->text.len) : -1;
			ok = i >= 0;
			if (ok)
				quote_string(out, ty->labels[i], ty->label_len[i]);
			break;
		}
		case K_SET: {
			bool *on = xcalloc(ty->nlabels + 1, sizeof(bool));
			ok = df->kind == D_STRING;
			for (const char *p = df->text.data; ok && df->text.len;) {
				const char *e = memchr(p, ',', df->text.len - (size_t) (p - df->text.data));
				size_t l = e ? (size_t) (e - p) : df->text.len - (size_t) (p - df->text.data);
				int i = label_find(ty, p, l);
				if (i < 0)
					ok = false;
				else
					on[i] = true;
				if (!e)
					break;
				p = e + 1;
			}
			if (ok) {
				buf v = BUF_INIT;
				for (size_t i = 0; i < ty->nlabels; i++)
					if (on[i])
						buf_printf(&v, "%s%s", v.len ? "," : "", ty->labels[i]);
				quote_string(out, v.data ? v.data : "", v.len);
				buf_free(&v);
			}
			free(on);
			break;
		}
		case K_DATE:
		case K_TIME:
		case K_DATETIME:
		case K_TIMESTAMP:
			ok = format_temporal(df, ty->kind, ty->len, out);
			break;
		default:
			ok = false;
	}
	if (!ok)
		return fail(c, "column %s: default %s%.*s%s for type %s is not modelled", col,
					df->kind == D_STRING ? "'" : "", (int) (df->text.len > 40 ? 40 : df->text.len),
					df->kind == D_BOOL ? (df->truth ? "TRUE" : "FALSE") : df->text.data ? df->text.data : "",
					df->kind == D_STRING ? "'" : "", ty->name);
	return true;
}

/* utf8_chars: characters of a UTF-8 string */
static long long
utf8_chars(const char *s, size_t len)
{
	long long n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* build_column: the COLUMNS row of cd; the type's final form is left in
 * cd->ty (name = DATA_TYPE). in_primary: the column is in the primary key. */
#define BAIL(...) do { fail(__VA_ARGS__); goto bad; } while (0)

/* column_type: COLUMN_TYPE into ct and the lengths information_schema
 * shows (character, numeric precision and scale, datetime precision; -1
 * for none) for cd's type, with its collation (*co, NULL for none); a
 * text type with CHARACTER SET binary becomes the binary type. False
 * (c failed) for what is out of range or not modelled. */
static bool
column_type(da_ctx *c, da_coldef *cd, buf *ct, long long *charlen, long long *nprec, long long *nscale,
			long long *dtprec, const da_collation **co)
{
	da_type *ty = &cd->ty;

	switch (ty->kind) {
		case K_INT: {
			static const struct { const char *n; int w, wu, p, pu; } ints[] = {
				{ "tinyint", 4, 3, 3, 3 }, { "smallint", 6, 5, 5, 5 }, { "mediumint", 9, 8, 7, 8 },
				{ "int", 11, 10, 10, 10 }, { "bigint", 20, 20, 19, 20 },
			};
			for (size_t i = 0; i < NELEM(ints); i++)
				if (strcmp(ty->name, ints[i].n) == 0) {
					long long w = ty->len >= 0 ? ty->len : ty->is_unsigned ? ints[i].wu : ints[i].w;
					if (w > 255)
						BAIL(c, "column %s: display width %lld", cd->name, w);
					buf_printf(ct, "%s(%lld)", ty->name, w);
					*nprec = ty->is_unsigned ? ints[i].pu : ints[i].p;
				}
			*nscale = 0;
			break;
		}
		case K_DECIMAL:
			if (ty->len < 0)
				ty->len = 10;
			if (ty->scale < 0)
				ty->scale = 0;
			if (ty->len > 65 || ty->scale > 38 || ty->scale > ty->len)
				BAIL(c, "column %s: DECIMAL(%lld,%lld) is out of range", cd->name, ty->len, ty->scale);
			buf_printf(ct, "decimal(%lld,%lld)", ty->len, ty->scale);
			*nprec = ty->len;
			*nscale = ty->scale;
			break;
		case K_FLOAT:
		case K_DOUBLE:
			if (ty->len >= 0) {
				if (ty->len > 255 || ty->scale > 30 || ty->scale > ty->len)
					BAIL(c, "column %s: %s(%lld,%lld) is out of range", cd->name, ty->name, ty->len, ty->scale);
				buf_printf(ct, "%s(%lld,%lld)", ty->name, ty->len, ty->scale);
				*nprec = ty->len;
				*nscale = ty->scale;
			} else {
				buf_puts(ct, ty->name);
				*nprec = ty->kind == K_FLOAT ? 12 : 22;
			}
			break;
		case K_BIT:
			buf_printf(ct, "bit(%lld)", ty->len);
			*nprec = ty->len;
			break;
		case K_CHAR:
		case K_VARCHAR:
		case K_TEXT:
		case K_ENUM:
		case K_SET:
		case K_JSON:
			if (!(*co = column_collation(c, ty)))
				goto bad;
			if (strcmp((*co)->charset, "binary") == 0) {   /* CHARACTER SET binary: the binary types */
				if (ty->kind == K_ENUM || ty->kind == K_SET || ty->kind == K_JSON)
					BAIL(c, "column %s: CHARACTER SET binary on %s is not modelled", cd->name, ty->name);
				ty->kind = ty->kind == K_CHAR ? K_BINARY : ty->kind == K_VARCHAR ? K_VARBINARY : K_BLOB;
				if (ty->kind == K_BLOB && ty->len < 0)
					for (char *p = strstr(ty->name, "text"); p; p = NULL)
						memcpy(p, "blob", 4);
				else if (ty->kind == K_BLOB)
					snprintf(ty->name, sizeof(ty->name), "%s", ty->len < 256 ? "tinyblob" : ty->len < 65536 ? "blob" :
							 ty->len < 16777216 ? "mediumblob" : "longblob");
				*co = NULL;
				goto binary;
			}
			if (ty->kind == K_CHAR || ty->kind == K_VARCHAR) {
				snprintf(ty->name, sizeof(ty->name), "%s", ty->kind == K_CHAR ? "char" : "varchar");
				if ((ty->kind == K_CHAR && ty->len > 255) || ty->len > 65532)
					BAIL(c, "column %s: %s(%lld) is out of range (MariaDB would change the type)", cd->name,
								ty->name, ty->len);
				buf_printf(ct, "%s(%lld)", ty->name, ty->len);
				*charlen = ty->len;
			} else if (ty->kind == K_TEXT) {
				if (ty->len >= 0) {     /* TEXT(n): the smallest that holds n characters */
					const da_charset *cs = charset_find((*co)->charset);
					long long bytes = ty->len * (long long) cs->maxlen;
					snprintf(ty->name, sizeof(ty->name), "%s", bytes < 256 ? "tinytext" : bytes < 65536 ? "text" :
							 bytes < 16777216 ? "mediumtext" : "longtext");
				}
				buf_puts(ct, ty->name);
				*charlen = strcmp(ty->name, "tinytext") == 0 ? 255 : strcmp(ty->name, "text") == 0 ? 65535 :
					strcmp(ty->name, "mediumtext") == 0 ? 16777215 : 4294967295LL;
			} else if (ty->kind == K_JSON) {
				buf_puts(ct, "longtext");
				*charlen = 4294967295LL;
			} else {
				buf_printf(ct, "%s(", ty->name);
				*charlen = 0;
				for (size_t i = 0; i < ty->nlabels; i++) {
					long long l = utf8_chars(ty->labels[i], ty->label_len[i]);
					if (i)
						buf_putc(ct, ',');
					quote_string(ct, ty->labels[i], ty->label_len[i]);
					if (ty->kind == K_ENUM)
						*charlen = l > *charlen ? l : *charlen;
					else
						*charlen += l + (i ? 1 : 0);
				}
				buf_putc(ct, ')');
			}
			break;
		case K_BINARY:
		case K_VARBINARY:
		case K_BLOB:
binary:
			if (ty->kind == K_BINARY || ty->kind == K_VARBINARY) {
				snprintf(ty->name, sizeof(ty->name), "%s", ty->kind == K_BINARY ? "binary" : "varbinary");
				if ((ty->kind == K_BINARY && ty->len > 255) || ty->len > 65532)
					BAIL(c, "column %s: %s(%lld) is out of range", cd->name, ty->name, ty->len);
				buf_printf(ct, "%s(%lld)", ty->name, ty->len);
				*charlen = ty->len;
			} else {
				buf_puts(ct, ty->name);
				*charlen = strcmp(ty->name, "tinyblob") == 0 ? 255 : strcmp(ty->name, "blob") == 0 ? 65535 :
					strcmp(ty->name, "mediumblob") == 0 ? 16777215 : 4294967295LL;
			}
			break;
		case K_DATE:
		case K_INET4:
		case K_INET6:
		case K_UUID:
		case K_GEOM:
			buf_puts(ct, ty->name);
			break;
		case K_YEAR:
			buf_puts(ct, "year(4)");
			break;
		case K_TIME:
		case K_DATETIME:
		case K_TIMESTAMP:
			if (ty->len > 0)
				buf_printf(ct, "%s(%lld)", ty->name, ty->len);
			else
				buf_puts(ct, ty->name);
			*dtprec = ty->len < 0 ? 0 : ty->len;
			break;
	}
	if (ty->is_unsigned && (ty->kind == K_INT || ty->kind == K_DECIMAL || ty->kind == K_FLOAT || ty->kind == K_DOUBLE))
		buf_puts(ct, " unsigned");
	if (ty->zerofill)
		buf_puts(ct, " zerofill");
	return true;
bad:
	return false;
}

static bool
build_column(da_ctx *c, da_coldef *cd, bool in_primary, da_col *out)
{
	da_type *ty = &cd->ty;
	buf ct = BUF_INIT, dflt = BUF_INIT, extra = BUF_INIT;
	long long charlen = -1, nprec = -1, nscale = -1, dtprec = -1;
	const da_collation *co = NULL;

	memset(out, 0, sizeof(*out));
	if (!column_type(c, cd, &ct, &charlen, &nprec, &nscale, &dtprec, &co))
		goto bad;

	/* nullability and default */
	bool nullable = cd->null_spec != 2;
	if (cd->auto_inc || in_primary)
		nullable = false;
	if (ty->kind == K_TIMESTAMP && c->env->legacy_timestamp && cd->null_spec != 1 && cd->dflt.kind == D_NONE)
		BAIL(c, "column %s: a TIMESTAMP without NULL or DEFAULT under explicit_defaults_for_timestamp=OFF "
					"is not modelled", cd->name);
	if (cd->dflt.kind != D_NONE) {
		if (cd->generated)
			BAIL(c, "column %s: a generated column with a default", cd->name);
		if (cd->dflt.kind == D_NULL && !nullable)
			BAIL(c, "column %s: DEFAULT NULL on a NOT NULL column", cd->name);
		if (!format_default(c, cd->name, ty, &cd->dflt, &dflt))
			goto bad;
	} else if (nullable)
		buf_puts(&dflt, "NULL");

	int attrs = cd->auto_inc + cd->on_update + (cd->generated > 0) + cd->invisible;
	if (attrs > 1)
		BAIL(c, "column %s: a combination of AUTO_INCREMENT, ON UPDATE, generated and INVISIBLE is not "
					"modelled", cd->name);
	if (cd->auto_inc)
		buf_puts(&extra, "auto_increment");
	if (cd->on_update) {
		if (ty->kind != K_TIMESTAMP && ty->kind != K_DATETIME)
			BAIL(c, "column %s: ON UPDATE on a column of type %s", cd->name, ty->name);
		if (cd->on_update_prec >= 0)
			buf_printf(&extra, "on update current_timestamp(%d)", cd->on_update_prec);
		else
			buf_puts(&extra, "on update current_timestamp()");
	}
	if (cd->generated)
		buf_puts(&extra, cd->generated == 2 ? "STORED GENERATED" : "VIRTUAL GENERATED");
	if (cd->invisible)
		buf_puts(&extra, "INVISIBLE");

	out->f[C_NAME] = xstrdup(cd->name);
	out->f[C_DT] = xstrdup(ty->kind == K_JSON ? "longtext" : ty->name);
	out->f[C_CT] = ct.data;
	out->f[C_CHARLEN] = lld(charlen);
	out->f[C_NPREC] = lld(nprec);
	out->f[C_NSCALE] = lld(nscale);
	out->f[C_DTPREC] = lld(dtprec);
	out->f[C_NULLABLE] = xstrdup(nullable ? "YES" : "NO");
	out->f[C_DEFAULT] = dflt.data ? dflt.data : (dflt.len == 0 && cd->dflt.kind != D_NONE ? xstrdup("") : NULL);
	out->f[C_EXTRA] = extra.data ? extra.data : xstrdup("");
	out->f[C_GEN] = xstrdup(cd->generated ? "ALWAYS" : "NEVER");
	out->f[C_COLL] = co ? xasprintf("%u", co->id) : NULL;
	return true;
bad:
	buf_free(&ct);
	buf_free(&dflt);
	buf_free(&extra);
	return false;
}

#undef BAIL

/* ---- indexes ---- */

typedef enum da_keykind { KD_PRIMARY, KD_UNIQUE, KD_INDEX, KD_FULLTEXT, KD_SPATIAL, KD_FOREIGN } da_keykind;

typedef struct da_keydef {
	da_keykind  kind;
	char        name[DDL_NAME_SIZE];    /* "" when MariaDB names it */
	bool        if_not_exists;
	bool        using_hash;
	size_t      n;
	char      (*cols)[DDL_NAME_SIZE];
	long long  *len;                    /* prefix, -1 for none */
} da_keydef;

static void
keydef_free(da_keydef *kd)
{
	free(kd->cols);
	free(kd->len);
	memset(kd, 0, sizeof(*kd));
}

static void
keydef_add_col(da_keydef *kd, const char *col, long long len)
{
	kd->cols = xrealloc(kd->cols, (kd->n + 1) * sizeof(*kd->cols));
	kd->len = xrealloc(kd->len, (kd->n + 1) * sizeof(long long));
	snprintf(kd->cols[kd->n], DDL_NAME_SIZE, "%s", col);
	kd->len[kd->n] = len;
	kd->n++;
}

/* read_index_type: USING BTREE|HASH|RTREE, TYPE x */
static bool
read_index_type(da_ctx *c, da_keydef *kd)
{
	char w[DDL_NAME_SIZE];

	if (!read_name(c, w, "an index type"))
		return false;
	if (strcasecmp(w, "HASH") == 0)
		kd->using_hash = true;
	else if (strcasecmp(w, "BTREE") != 0 && strcasecmp(w, "RTREE") != 0)
		return fail(c, "index type %s is not modelled", w);
	return true;
}

/* read_key_parts: (col[(len)] [ASC|DESC], ...) and the index options after */
static bool
read_key_parts(da_ctx *c, da_keydef *kd)
{
	ddl_token tok;
	char col[DDL_NAME_SIZE], d[64];

	if (!expect_punct(c, '(', "an index's columns"))
		return false;
	do {
		long long len = -1;
		if (peek(c, &tok) == DDL_TOK_PUNCT && tok.punct == '(')
			return fail(c, "an index on an expression is not modelled");
		if (!read_name(c, col, "an index's column"))
			return false;
		if (accept_punct(c, '(')) {
			next(c, &tok);
			if (tok.kind != DDL_TOK_NUMBER || strspn(tok.text, "0123456789") != tok.text_len || tok.text_len > 9)
				return fail(c, "expected a prefix length, not %s", tok_desc(&tok, d, sizeof(d)));
			len = strtoll(tok.text, NULL, 10);
			if (!expect_punct(c, ')', "a prefix length"))
				return false;
		}
		if (!accept(c, "ASC"))
			(void) accept(c, "DESC");
		keydef_add_col(kd, col, len);
	} while (accept_punct(c, ','));
	if (!expect_punct(c, ')', "an index's columns"))
		return false;
	for (;;) {
		if (accept(c, "USING") || accept(c, "TYPE")) {
			if (!read_index_type(c, kd))
				return false;
		} else if (accept(c, "KEY_BLOCK_SIZE")) {
			if (!skip_value(c))
				return false;
		} else if (accept(c, "COMMENT")) {
			if (!skip_string(c, "COMMENT"))
				return false;
		} else if (accept(c, "VISIBLE") || accept(c, "IGNORED"))
			;
		else if (accept(c, "NOT")) {
			if (!expect(c, "IGNORED", "NOT IGNORED"))
				return false;
		} else if (accept(c, "WITH")) {
			char p[DDL_NAME_SIZE];
			if (!expect(c, "PARSER", "WITH PARSER") || !read_name(c, p, "a parser"))
				return false;
		} else
			return !c->failed;
	}
}

/* read_keydef: after the words that say the kind: [IF NOT EXISTS] [name]
 * [USING t] (parts) [options]; FOREIGN KEY's REFERENCES part is skipped */
static bool
read_keydef(da_ctx *c, da_keydef *kd, bool named)
{
	ddl_token tok;

	if (accept(c, "IF")) {
		if (!expect(c, "NOT", "IF NOT EXISTS") || !expect(c, "EXISTS", "IF NOT EXISTS"))
			return false;
		kd->if_not_exists = true;
	}
	if (named && (peek(c, &tok) == DDL_TOK_WORD || tok.kind == DDL_TOK_QUOTED) && !ddl_is(&tok, "USING") &&
		!ddl_is(&tok, "TYPE")) {
		if (!read_name(c, kd->name, "an index name"))
			return false;
	}
	if ((accept(c, "USING") || accept(c, "TYPE")) && !read_index_type(c, kd))
		return false;
	if (!read_key_parts(c, kd))
		return false;
	if (kd->kind == KD_FOREIGN) {
		if (!expect(c, "REFERENCES", "FOREIGN KEY"))
			return false;
		return skip_references(c);
	}
	return true;
}

/* is_textual: a column whose index prefix counts characters or bytes */
static bool
col_is(const da_col *col, const char *const *types)
{
	for (; *types; types++)
		if (strcmp(col->f[C_DT], *types) == 0)
			return true;
	return false;
}

static const char *const sized_types[] = { "char", "varchar", "binary", "varbinary", NULL };
static const char *const blob_types[] = { "tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob",
	"mediumblob", "longblob", NULL };
static const char *const geom_types[] = { "geometry", "point", "linestring", "polygon", "multipoint",
	"multilinestring", "multipolygon", "geometrycollection", NULL };

/* col_bytes: the bytes an index keeps of a column (len characters, or the
 * whole column when len < 0) */
static long long
col_bytes(const da_col *col, long long len)
{
	long long chars = len >= 0 ? len : col->f[C_CHARLEN] ? strtoll(col->f[C_CHARLEN], NULL, 10) : 8;
	const da_collation *co = col->f[C_COLL] ? collation_by_id((unsigned) strtoul(col->f[C_COLL], NULL, 10)) : NULL;
	const da_charset *cs = co ? charset_find(co->charset) : NULL;

	return chars * (cs ? cs->maxlen : 1);
}

static bool
engine_ok(da_ctx *c, const char *what)
{
	if (!c->t->tf[T_ENGINE])
		return fail(c, "%s: the table's engine is not in its description (recorded by an older version)", what);
	if (strcasecmp(c->t->tf[T_ENGINE], "InnoDB") != 0)
		return fail(c, "%s on a table of engine %s is not modelled", what, c->t->tf[T_ENGINE]);
	return true;
}

/* make_not_null: a primary key's column */
static void
make_not_null(da_col *col)
{
	set_field(&col->f[C_NULLABLE], "NO");
	if (col->f[C_DEFAULT] && strcmp(col->f[C_DEFAULT], "NULL") == 0)
		set_field(&col->f[C_DEFAULT], NULL);
}

/* add_index: kd into c->t (named, typed, parts resolved) */
static bool
add_index(da_ctx *c, const da_keydef *kd, bool hash_declared)
{
	da_table *t = c->t;
	da_index ix = { 0 };
	char name[DDL_NAME_SIZE + 8];

	if (!engine_ok(c, "an index"))
		return false;
	if (kd->kind == KD_PRIMARY)
		snprintf(name, sizeof(name), "PRIMARY");
	else if (kd->name[0])
		snprintf(name, sizeof(name), "%s", kd->name);
	else {
		int col = col_find(t, kd->cols[0]);
		const char *base = col >= 0 ? t->cols[col].f[C_NAME] : kd->cols[0];
		snprintf(name, sizeof(name), "%s", base);
		for (int k = 2; index_find(t, name) >= 0 || strcasecmp(name, "PRIMARY") == 0; k++)
			snprintf(name, sizeof(name), "%s_%d", base, k);
	}
	if (index_find(t, name) >= 0) {
		if (kd->if_not_exists)
			return true;
		return fail(c, "index %s exists already", name);
	}
	ix.name = xstrdup(name);
	ix.unique = kd->kind == KD_PRIMARY || kd->kind == KD_UNIQUE;
	ix.type = xstrdup(kd->kind == KD_FULLTEXT ? "FULLTEXT" : kd->kind == KD_SPATIAL ? "SPATIAL" : "BTREE");
	ix.parts = xcalloc(kd->n, sizeof(da_part));
	long long bytes = 0;
	bool long_part = false;
	for (size_t i = 0; i < kd->n; i++) {
		int ci = col_find(t, kd->cols[i]);
		if (ci < 0) {
			index_free(&ix);
			return fail(c, "index %s: no column %s", name, kd->cols[i]);
		}
		da_col *col = &t->cols[ci];
		ix.parts[ix.n].col = xstrdup(col->f[C_NAME]);
		long long len = kd->len[i];
		if (kd->kind == KD_SPATIAL) {
			if (!col_is(col, geom_types) || kd->n != 1) {
				index_free(&ix);
				return fail(c, "index %s: a SPATIAL index on %s is not modelled", name, col->f[C_NAME]);
			}
			ix.parts[ix.n].sub_part = xstrdup("32");
		} else if (kd->kind == KD_FULLTEXT) {
			if (!col_is(col, sized_types) && !col_is(col, blob_types)) {
				index_free(&ix);
				return fail(c, "index %s: a FULLTEXT index on %s is not modelled", name, col->f[C_NAME]);
			}
		} else if (col_is(col, blob_types)) {
			if (len < 0)
				long_part = true;
			else
				ix.parts[ix.n].sub_part = xasprintf("%lld", len);
		} else if (col_is(col, sized_types)) {
			long long full = strtoll(col->f[C_CHARLEN], NULL, 10);
			if (len >= 0 && len < full)
				ix.parts[ix.n].sub_part = xasprintf("%lld", len);
			else if (len > full) {
				index_free(&ix);
				return fail(c, "index %s: prefix %lld is longer than column %s", name, len, col->f[C_NAME]);
			}
		} else if (len >= 0 || col_is(col, geom_types)) {
			index_free(&ix);
			return fail(c, "index %s: a prefix or B-tree index on column %s of type %s is not modelled", name,
						col->f[C_NAME], col->f[C_DT]);
		}
		if (col_is(col, sized_types) || col_is(col, blob_types))
			bytes += col_bytes(col, len);
		ix.n++;
	}
	if (kd->kind != KD_FULLTEXT && kd->kind != KD_SPATIAL) {
		if (long_part || bytes > 3072) {
			if (kd->kind != KD_UNIQUE) {
				index_free(&ix);
				return fail(c, "index %s: a key longer than InnoDB's 3072 bytes that is not UNIQUE is not modelled",
							name);
			}
			set_field(&ix.type, "HASH");
			for (size_t i = 0; i < ix.n; i++)
				set_field(&ix.parts[i].sub_part, NULL);
		} else if (bytes > 3000) {
			index_free(&ix);
			return fail(c, "index %s: a key of about InnoDB's limit of 3072 bytes is not modelled", name);
		}
	}
	if (kd->kind == KD_PRIMARY)
		for (size_t i = 0; i < ix.n; i++)
			make_not_null(&t->cols[col_find(t, ix.parts[i].col)]);
	t->ix = xrealloc(t->ix, (t->nix + 1) * sizeof(da_index));
	t->ix[t->nix] = ix;
	if (c->hash_declared) {
		c->hash_declared = xrealloc(c->hash_declared, (t->nix + 1) * sizeof(bool));
		c->hash_declared[t->nix] = hash_declared;
	}
	t->nix++;
	return true;
}

/* fk_covered: an index of t (not one declared USING HASH) starts with the
 * foreign key's columns */
static bool
fk_covered(da_ctx *c, const da_keydef *kd)
{
	da_table *t = c->t;

	for (size_t i = 0; i < t->nix; i++) {
		const da_index *ix = &t->ix[i];
		if (ix->n < kd->n || strcmp(ix->type, "BTREE") != 0 || (c->hash_declared && c->hash_declared[i]))
			continue;
		bool match = true;
		for (size_t k = 0; k < kd->n && match; k++)
			match = strcasecmp(ix->parts[k].col, kd->cols[k]) == 0 && !ix->parts[k].sub_part;
		if (match)
			return true;
	}
	return false;
}

/* add_foreign: the index a FOREIGN KEY needs, unless one covers it */
static bool
add_foreign(da_ctx *c, const da_keydef *kd, const char *constraint)
{
	da_keydef ix = *kd;

	if (fk_covered(c, kd))
		return true;
	ix.kind = KD_INDEX;
	if (!ix.name[0] && constraint)
		snprintf(ix.name, sizeof(ix.name), "%s", constraint);
	return add_index(c, &ix, false);
}

/* ---- checks ---- */

static char *
json_clause(const char *col)
{
	buf b = BUF_INIT;

	buf_puts(&b, "json_valid(`");
	for (const char *p = col; *p; p++) {
		if (*p == '`')
			buf_putc(&b, '`');
		buf_putc(&b, *p);
	}
	buf_puts(&b, "`)");
	return b.data;
}

static void
add_check(da_table *t, const char *col, const char *level)
{
	t->ck = xrealloc(t->ck, (t->nck + 1) * sizeof(da_check));
	t->ck[t->nck].clause = json_clause(col);
	t->ck[t->nck].level = dup_or_null(level);
	t->nck++;
}

static void
remove_check(da_table *t, size_t i)
{
	free(t->ck[i].clause);
	free(t->ck[i].level);
	memmove(&t->ck[i], &t->ck[i + 1], (t->nck - i - 1) * sizeof(da_check));
	t->nck--;
}

/* check_of: the recorded check on column col, from index from, or -1 */
static int
check_of(const da_table *t, const char *col, size_t from)
{
	char *want = json_clause(col);
	int found = -1;

	for (size_t i = from; i < t->nck && found < 0; i++)
		if (strcasecmp(t->ck[i].clause, want) == 0)
			found = (int) i;
	free(want);
	return found;
}

/* ---- clauses ---- */

/* place_column: moves column i to its FIRST / AFTER position */
static bool
place_column(da_ctx *c, size_t i, const da_coldef *cd)
{
	da_table *t = c->t;
	da_col moved = t->cols[i];
	size_t to;

	if (cd->position == 0)
		return true;
	memmove(&t->cols[i], &t->cols[i + 1], (t->ncols - i - 1) * sizeof(da_col));
	t->ncols--;
	if (cd->position == 1)
		to = 0;
	else {
		int a = col_find(t, cd->after);
		if (a < 0) {
			t->cols[t->ncols++] = moved;    /* back, to be freed with the table */
			return fail(c, "AFTER %s: no such column", cd->after);
		}
		to = (size_t) a + 1;
	}
	memmove(&t->cols[to + 1], &t->cols[to], (t->ncols - to) * sizeof(da_col));
	t->cols[to] = moved;
	t->ncols++;
	return true;
}

/* in_primary: column name is part of the primary key */
static bool
in_primary(const da_table *t, const char *name)
{
	int p = index_find(t, "PRIMARY");

	if (p < 0)
		return false;
	for (size_t k = 0; k < t->ix[p].n; k++)
		if (strcasecmp(t->ix[p].parts[k].col, name) == 0)
			return true;
	return false;
}

/* inline_keys: a column definition's PRIMARY KEY and UNIQUE */
static bool
inline_keys(da_ctx *c, const da_coldef *cd)
{
	if (cd->primary) {
		da_keydef kd = { .kind = KD_PRIMARY };
		keydef_add_col(&kd, cd->name, -1);
		bool ok = add_index(c, &kd, false);
		keydef_free(&kd);
		if (!ok)
			return false;
	}
	if (cd->unique) {
		da_keydef kd = { .kind = KD_UNIQUE };
		keydef_add_col(&kd, cd->name, -1);
		bool ok = add_index(c, &kd, false);
		keydef_free(&kd);
		if (!ok)
			return false;
	}
	return true;
}

/* add_column: ADD [COLUMN] [IF NOT EXISTS] definition [FIRST|AFTER c] */
static bool
add_column(da_ctx *c, bool with_position)
{
	da_table *t = c->t;
	da_coldef cd;
	bool if_not_exists = false;
	bool ok;

	if (accept(c, "IF")) {
		if (!expect(c, "NOT", "IF NOT EXISTS") || !expect(c, "EXISTS", "IF NOT EXISTS"))
			return false;
		if_not_exists = true;
	}
	ok = read_coldef(c, &cd, with_position);
	if (ok && col_find(t, cd.name) >= 0) {
		coldef_free(&cd);
		return if_not_exists ? true : fail(c, "column %s exists already", cd.name);
	}
	if (ok) {
		t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof(da_col));
		ok = build_column(c, &cd, cd.primary, &t->cols[t->ncols]);
		if (ok) {
			t->ncols++;
			ok = place_column(c, t->ncols - 1, &cd);
		}
	}
	if (ok && (cd.ty.kind == K_JSON || cd.json_check))
		add_check(t, cd.name, "Column");
	if (ok)
		ok = inline_keys(c, &cd);
	coldef_free(&cd);
	return ok;
}

/* type_of_column: the da_type a recorded column's COLUMN_TYPE reads as */
static bool
type_of_column(da_ctx *c, const da_col *col, da_type *ty)
{
	da_ctx sub = *c;
	ddl_token tok;
	bool ok;

	sub.failed = false;
	ddl_lexer_init(&sub.lx, col->f[C_CT], 0);
	ok = read_type(&sub, ty) && next(&sub, &tok) == DDL_TOK_END;
	ddl_lexer_free(&sub.lx);
	if (!ok) {
		type_free(ty);
		if (!sub.failed)
			snprintf(c->why, c->whylen, "the recorded type %s of column %s could not be read", col->f[C_CT],
					 col->f[C_NAME]);
		c->failed = true;
		return false;
	}
	if (strcmp(col->f[C_DT], "longtext") == 0 && check_of(c->t, col->f[C_NAME], 0) >= 0)
		ty->kind = K_JSON;
	return true;
}

/* retarget_indexes: the indexes on column old after it became new (col) */
static bool
retarget_indexes(da_ctx *c, const char *old, const da_col *col)
{
	da_table *t = c->t;

	for (size_t i = 0; i < t->nix; i++) {
		da_index *ix = &t->ix[i];
		for (size_t k = 0; k < ix->n; k++) {
			da_part *p = &ix->parts[k];
			if (strcasecmp(p->col, old) != 0)
				continue;
			set_field(&p->col, col->f[C_NAME]);
			if (strcmp(ix->type, "HASH") == 0)
				return fail(c, "column %s changed under a long UNIQUE index (%s): not modelled", old, ix->name);
			if (strcmp(ix->type, "FULLTEXT") == 0) {
				if (!col_is(col, sized_types) && !col_is(col, blob_types))
					return fail(c, "column %s changed under FULLTEXT index %s: not modelled", old, ix->name);
				continue;
			}
			if (strcmp(ix->type, "SPATIAL") == 0) {
				if (!col_is(col, geom_types))
					return fail(c, "column %s changed under SPATIAL index %s: not modelled", old, ix->name);
				continue;
			}
			if (p->sub_part) {
				long long sp = strtoll(p->sub_part, NULL, 10);
				if (col_is(col, blob_types))
					continue;
				if (!col_is(col, sized_types) || strtoll(col->f[C_CHARLEN], NULL, 10) <= sp)
					return fail(c, "column %s changed under index %s's prefix: not modelled", old, ix->name);
			} else if (col_is(col, blob_types) || col_is(col, geom_types))
				return fail(c, "column %s changed to %s under index %s: not modelled", old, col->f[C_DT], ix->name);
			long long bytes = 0;
			for (size_t j = 0; j < ix->n; j++) {
				const da_col *cj = &t->cols[col_find(t, ix->parts[j].col)];
				if (col_is(cj, sized_types) || col_is(cj, blob_types))
					bytes += col_bytes(cj, ix->parts[j].sub_part ? strtoll(ix->parts[j].sub_part, NULL, 10) : -1);
			}
			if (bytes > 3000)
				return fail(c, "column %s changed under index %s near InnoDB's key limit: not modelled", old,
							ix->name);
		}
	}
	return true;
}

/* change_column: MODIFY (old NULL: the definition's name) or CHANGE old */
static bool
change_column(da_ctx *c, bool change)
{
	da_table *t = c->t;
	char old[DDL_NAME_SIZE];
	bool if_exists = false;
	da_coldef cd;

	if (accept(c, "IF")) {
		if (!expect(c, "EXISTS", "IF EXISTS"))
			return false;
		if_exists = true;
	}
	if (change && !read_name(c, old, "a column name"))
		return false;
	if (!read_coldef(c, &cd, true))
		return false;
	if (!change)
		snprintf(old, sizeof(old), "%s", cd.name);
	int i = col_find(t, old);
	bool ok = true;
	if (i < 0) {
		coldef_free(&cd);
		return if_exists ? true : fail(c, "no column %s", old);
	}
	int other = col_find(t, cd.name);
	if (other >= 0 && other != i) {
		coldef_free(&cd);
		return fail(c, "column %s exists already", cd.name);
	}
	/* the recorded checks on the column: its own go with the old definition */
	for (int k = check_of(t, old, 0); k >= 0; k = check_of(t, old, (size_t) k)) {
		if (!t->ck[k].level) {
			coldef_free(&cd);
			return fail(c, "column %s has a JSON check whose level (column or table) the description does not "
						"say", old);
		}
		if (strcmp(t->ck[k].level, "Column") == 0)
			remove_check(t, (size_t) k);
		else if (strcasecmp(old, cd.name) != 0) {
			coldef_free(&cd);
			return fail(c, "column %s is renamed under a table CHECK: not modelled", old);
		} else
			k++;
		if ((size_t) k >= t->nck)
			break;
	}
	da_col nc;
	ok = build_column(c, &cd, in_primary(t, old), &nc);
	if (ok) {
		col_free(&t->cols[i]);
		t->cols[i] = nc;
		ok = retarget_indexes(c, old, &t->cols[i]) && place_column(c, (size_t) i, &cd);
	}
	if (ok && (cd.ty.kind == K_JSON || cd.json_check))
		add_check(t, cd.name, "Column");
	if (ok)
		ok = inline_keys(c, &cd);
	coldef_free(&cd);
	return ok;
}

/* drop_column: DROP [COLUMN] [IF EXISTS] c [RESTRICT|CASCADE] */
static bool
drop_column(da_ctx *c)
{
	da_table *t = c->t;
	char name[DDL_NAME_SIZE];
	bool if_exists = false;

	if (accept(c, "IF")) {
		if (!expect(c, "EXISTS", "IF EXISTS"))
			return false;
		if_exists = true;
	}
	if (!read_name(c, name, "a column name"))
		return false;
	if (!accept(c, "RESTRICT"))
		(void) accept(c, "CASCADE");
	int i = col_find(t, name);
	if (i < 0)
		return if_exists ? true : fail(c, "no column %s", name);
	for (int k; (k = check_of(t, name, 0)) >= 0;) {
		if (t->ck[k].level && strcmp(t->ck[k].level, "Table") == 0)
			return fail(c, "column %s is dropped under a table CHECK: not modelled", name);
		remove_check(t, (size_t) k);    /* a table's would have failed the statement */
	}
	for (size_t x = 0; x < t->nix;) {
		da_index *ix = &t->ix[x];
		for (size_t k = 0; k < ix->n;) {
			if (strcasecmp(ix->parts[k].col, name) == 0) {
				free(ix->parts[k].col);
				free(ix->parts[k].sub_part);
				memmove(&ix->parts[k], &ix->parts[k + 1], (ix->n - k - 1) * sizeof(da_part));
				ix->n--;
			} else
				k++;
		}
		if (ix->n == 0) {
			index_free(ix);
			memmove(&t->ix[x], &t->ix[x + 1], (t->nix - x - 1) * sizeof(da_index));
			t->nix--;
		} else
			x++;
	}
	col_free(&t->cols[i]);
	memmove(&t->cols[i], &t->cols[i + 1], (t->ncols - (size_t) i - 1) * sizeof(da_col));
	t->ncols--;
	if (t->ncols == 0)
		return fail(c, "the table's last column is dropped");
	return true;
}

/* drop_index: DROP INDEX|KEY [IF EXISTS] name, DROP PRIMARY KEY */
static bool
drop_index(da_ctx *c, bool primary)
{
	da_table *t = c->t;
	char name[DDL_NAME_SIZE];
	bool if_exists = false;

	if (primary)
		snprintf(name, sizeof(name), "PRIMARY");
	else {
		if (accept(c, "IF")) {
			if (!expect(c, "EXISTS", "IF EXISTS"))
				return false;
			if_exists = true;
		}
		if (!read_name(c, name, "an index name"))
			return false;
	}
	int i = index_find(t, name);
	if (i < 0)
		return if_exists ? true : fail(c, "no index %s", name);
	index_free(&t->ix[i]);
	memmove(&t->ix[i], &t->ix[i + 1], (t->nix - (size_t) i - 1) * sizeof(da_index));
	t->nix--;
	return true;
}

/* add_key_clause: ADD [CONSTRAINT [sym]] PRIMARY KEY | UNIQUE | INDEX | KEY |
 * FULLTEXT | SPATIAL | FOREIGN KEY | CHECK ...; also a CREATE TABLE's key
 * definitions. False with nothing read when the clause is none of them and
 * *not_key is set. */
static bool
read_key_clause(da_ctx *c, bool *not_key)
{
	char constraint[DDL_NAME_SIZE] = "";
	bool has_constraint = false;
	da_keydef kd = { 0 };
	ddl_token tok;
	bool ok = true;

	*not_key = false;
	if (accept(c, "CONSTRAINT")) {
		has_constraint = true;
		if (accept(c, "IF"))
			return fail(c, "CONSTRAINT IF NOT EXISTS is not modelled");
		if (peek(c, &tok) == DDL_TOK_QUOTED || (tok.kind == DDL_TOK_WORD && !ddl_is(&tok, "PRIMARY") &&
												!ddl_is(&tok, "UNIQUE") && !ddl_is(&tok, "FOREIGN") &&
												!ddl_is(&tok, "CHECK")))
			if (!read_name(c, constraint, "a constraint name"))
				return false;
	}
	if (accept(c, "PRIMARY")) {
		kd.kind = KD_PRIMARY;
		ok = expect(c, "KEY", "PRIMARY KEY") && read_keydef(c, &kd, false);
	} else if (accept(c, "UNIQUE")) {
		kd.kind = KD_UNIQUE;
		if (!accept(c, "INDEX"))
			(void) accept(c, "KEY");
		ok = read_keydef(c, &kd, true);
		if (ok && !kd.name[0] && constraint[0])
			snprintf(kd.name, sizeof(kd.name), "%s", constraint);
	} else if (accept(c, "FOREIGN")) {
		kd.kind = KD_FOREIGN;
		ok = expect(c, "KEY", "FOREIGN KEY") && read_keydef(c, &kd, true);
	} else if (accept(c, "CHECK")) {
		char col[DDL_NAME_SIZE];
		bool is_json;
		if (!read_check(c, col, &is_json))
			return false;
		if (is_json) {
			if (!c->creating && !constraint[0])
				return fail(c, "an unnamed JSON CHECK: not modelled");
			if (col_find(c->t, col) < 0 && !c->creating)
				return fail(c, "CHECK on no column %s", col);
			add_check(c->t, col, "Table");
		}
		if (c->creating && !constraint[0])
			c->unnamed_checks++;
		return true;
	} else if (has_constraint) {
		return fail(c, "expected PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK after CONSTRAINT");
	} else if (accept(c, "INDEX") || accept(c, "KEY")) {
		kd.kind = KD_INDEX;
		ok = read_keydef(c, &kd, true);
	} else if (accept(c, "FULLTEXT") || (accept(c, "SPATIAL") && (kd.kind = KD_SPATIAL))) {
		if (kd.kind != KD_SPATIAL)
			kd.kind = KD_FULLTEXT;
		if (!accept(c, "INDEX"))
			(void) accept(c, "KEY");
		ok = read_keydef(c, &kd, true);
	} else {
		*not_key = true;
		return false;
	}
	if (ok) {
		if (kd.kind == KD_FOREIGN) {
			if (c->creating) {
				c->fks = xrealloc(c->fks, (c->nfk + 1) * sizeof(struct da_fk));
				struct da_fk *fk = &c->fks[c->nfk++];
				fk->name = xstrdup(kd.name[0] ? kd.name : constraint);
				fk->n = kd.n;
				fk->cols = xcalloc(kd.n, sizeof(char *));
				for (size_t i = 0; i < kd.n; i++)
					fk->cols[i] = xstrdup(kd.cols[i]);
			} else
				ok = add_foreign(c, &kd, constraint[0] ? constraint : NULL);
		} else
			ok = add_index(c, &kd, kd.using_hash);
	}
	keydef_free(&kd);
	return ok;
}

/* set_table_collation: [DEFAULT] CHARACTER SET x [COLLATE y] or COLLATE y */
static bool
set_table_collation(da_ctx *c, const char *cs_name, const char *coll_name)
{
	const da_charset *cs = cs_name ? charset_find(cs_name) : NULL;
	const da_collation *co;

	if (cs_name && !cs)
		return fail(c, "character set %s is not modelled", cs_name);
	if (coll_name) {
		co = collation_find(coll_name);
		if (!co || (cs && strcmp(co->charset, cs->name) != 0))
			return fail(c, "collation %s is not modelled", coll_name);
	} else
		co = collation_find(cs->dflt);
	if (!co)
		return fail(c, "the collation of %s is not modelled", cs_name);
	set_field(&c->t->tf[T_COLL], co->name);
	return true;
}

/* engine_name: the engine as information_schema spells it */
static bool
set_engine(da_ctx *c, const char *e)
{
	static const char *const engines[] = { "InnoDB", "Aria", "MyISAM" };

	for (size_t i = 0; i < NELEM(engines); i++)
		if (strcasecmp(e, engines[i]) == 0) {
			set_field(&c->t->tf[T_ENGINE], engines[i]);
			return true;
		}
	return fail(c, "engine %s is not modelled", e);
}

/* table_option: one table option, if the next words are one; *done false
 * when they are not */
static bool
table_option(da_ctx *c, bool *matched, bool *changed_coll)
{
	static const char *const ignored[] = {
		"AUTO_INCREMENT", "AVG_ROW_LENGTH", "CHECKSUM", "TABLE_CHECKSUM", "DELAY_KEY_WRITE", "KEY_BLOCK_SIZE",
		"MAX_ROWS", "MIN_ROWS", "PACK_KEYS", "PAGE_CHECKSUM", "PAGE_COMPRESSED", "PAGE_COMPRESSION_LEVEL",
		"ROW_FORMAT", "STATS_AUTO_RECALC", "STATS_PERSISTENT", "STATS_SAMPLE_PAGES", "TRANSACTIONAL",
		"ENCRYPTED", "ENCRYPTION_KEY_ID", "IETF_QUOTES", "SEQUENCE",
	};
	char cs[64], co[64];

	*matched = true;
	if (accept(c, "ENGINE") || accept(c, "TYPE")) {
		char e[64];
		return read_charset_name(c, e, sizeof(e), "an engine") && set_engine(c, e);
	}
	if (accept(c, "COMMENT"))
		return skip_string(c, "COMMENT");
	bool dflt = accept(c, "DEFAULT");
	if (accept(c, "CHARACTER") || accept(c, "CHARSET")) {
		if (!(accept(c, "SET") || true) || !read_charset_name(c, cs, sizeof(cs), "a character set"))
			return false;
		bool with_coll = accept(c, "COLLATE");
		if (with_coll && !read_charset_name(c, co, sizeof(co), "a collation"))
			return false;
		*changed_coll = true;
		return set_table_collation(c, cs, with_coll ? co : NULL);
	}
	if (accept(c, "COLLATE")) {
		*changed_coll = true;
		return read_charset_name(c, co, sizeof(co), "a collation") && set_table_collation(c, NULL, co);
	}
	if (dflt)
		return fail(c, "expected CHARACTER SET or COLLATE after DEFAULT");
	for (size_t i = 0; i < NELEM(ignored); i++)
		if (accept(c, ignored[i]))
			return skip_value(c);
	*matched = false;
	return !c->failed;
}

/* alter_default: ALTER [COLUMN] c SET DEFAULT v | DROP DEFAULT */
static bool
alter_default(da_ctx *c)
{
	da_table *t = c->t;
	char name[DDL_NAME_SIZE];

	if (accept(c, "INDEX") || accept(c, "KEY")) {   /* [NOT] IGNORED: information_schema's IGNORED */
		if (!read_name(c, name, "an index name"))
			return false;
		if (index_find(t, name) < 0)
			return fail(c, "no index %s", name);
		if (accept(c, "NOT"))
			return expect(c, "IGNORED", "NOT IGNORED");
		if (accept(c, "IGNORED") || accept(c, "VISIBLE") || accept(c, "INVISIBLE"))
			return true;
		return fail(c, "expected IGNORED or NOT IGNORED");
	}
	(void) accept(c, "COLUMN");
	if (accept(c, "IF"))
		return fail(c, "ALTER COLUMN IF EXISTS is not modelled");
	if (!read_name(c, name, "a column name"))
		return false;
	int i = col_find(t, name);
	if (i < 0)
		return fail(c, "no column %s", name);
	da_col *col = &t->cols[i];
	if (accept(c, "DROP")) {
		if (!expect(c, "DEFAULT", "DROP DEFAULT"))
			return false;
		/* a nullable column's default is NULL again */
		set_field(&col->f[C_DEFAULT], strcmp(col->f[C_NULLABLE], "YES") == 0 ? "NULL" : NULL);
		return true;
	}
	if (!expect(c, "SET", "ALTER COLUMN") || !expect(c, "DEFAULT", "SET DEFAULT"))
		return false;
	da_default df = { 0 };
	da_type ty;
	buf out = BUF_INIT;
	bool ok = read_default(c, &df) && type_of_column(c, col, &ty);
	if (ok) {
		ty.len = ty.kind == K_TIME || ty.kind == K_DATETIME || ty.kind == K_TIMESTAMP ?
			(col->f[C_DTPREC] ? strtoll(col->f[C_DTPREC], NULL, 10) : 0) : ty.len;
		if (df.kind == D_NULL && strcmp(col->f[C_NULLABLE], "NO") == 0)
			ok = fail(c, "column %s: DEFAULT NULL on a NOT NULL column", name);
		else if (strcmp(col->f[C_GEN], "NEVER") != 0)
			ok = fail(c, "column %s is generated", name);
		else
			ok = format_default(c, name, &ty, &df, &out);
		type_free(&ty);
	}
	if (ok)
		set_field(&col->f[C_DEFAULT], out.data);
	buf_free(&out);
	buf_free(&df.text);
	return ok;
}

/* rename_clause: RENAME COLUMN a TO b | RENAME INDEX|KEY a TO b | RENAME [TO|AS] t */
static bool
rename_clause(da_ctx *c)
{
	da_table *t = c->t;
	char from[DDL_NAME_SIZE], to[DDL_NAME_SIZE];

	if (accept(c, "COLUMN")) {
		if (!read_name(c, from, "a column name") || !expect(c, "TO", "RENAME COLUMN") ||
			!read_name(c, to, "a column name"))
			return false;
		int i = col_find(t, from), j = col_find(t, to);
		if (i < 0)
			return fail(c, "no column %s", from);
		if (j >= 0 && j != i)
			return fail(c, "column %s exists already", to);
		for (int k; (k = check_of(t, from, 0)) >= 0 && strcasecmp(from, to) != 0;) {
			free(t->ck[k].clause);
			t->ck[k].clause = json_clause(to);
		}
		for (size_t x = 0; x < t->nix; x++)
			for (size_t k = 0; k < t->ix[x].n; k++)
				if (strcasecmp(t->ix[x].parts[k].col, from) == 0)
					set_field(&t->ix[x].parts[k].col, to);
		set_field(&t->cols[i].f[C_NAME], to);
		return true;
	}
	if (accept(c, "INDEX") || accept(c, "KEY")) {
		if (!read_name(c, from, "an index name") || !expect(c, "TO", "RENAME INDEX") ||
			!read_name(c, to, "an index name"))
			return false;
		int i = index_find(t, from), j = index_find(t, to);
		if (i < 0)
			return fail(c, "no index %s", from);
		if ((j >= 0 && j != i) || strcasecmp(to, "PRIMARY") == 0 || strcasecmp(from, "PRIMARY") == 0)
			return fail(c, "index %s cannot become %s", from, to);
		set_field(&t->ix[i].name, to);
		return true;
	}
	if (!accept(c, "TO"))
		(void) accept(c, "AS");
	return read_table_name(c, to);  /* the description does not hold the table's name */
}

/* alter_clause: one clause of ALTER TABLE */
static bool
alter_clause(da_ctx *c, bool *took_coll, bool *changed_coll)
{
	ddl_token tok;
	char d[64];
	bool matched, not_key;
	size_t before = c->t->ncols;
	(void) before;

	if (accept(c, "ADD")) {
		if (accept(c, "COLUMN")) {
			if (accept_punct(c, '('))
				goto list;
			*took_coll = true;
			return add_column(c, true);
		}
		if (accept_punct(c, '(')) {
list:
			*took_coll = true;
			do {
				if (!add_column(c, false))
					return false;
			} while (accept_punct(c, ','));
			return expect_punct(c, ')', "ADD (columns)");
		}
		if (peek(c, &tok) == DDL_TOK_WORD && (ddl_is(&tok, "PERIOD") || ddl_is(&tok, "PARTITION") ||
											  ddl_is(&tok, "SYSTEM")))
			return fail(c, "ADD %s is not modelled", tok.text);
		if (read_key_clause(c, &not_key))
			return true;
		if (!not_key)
			return false;
		*took_coll = true;
		return add_column(c, true);
	}
	if (accept(c, "DROP")) {
		if (accept(c, "COLUMN"))
			return drop_column(c);
		if (accept(c, "INDEX") || accept(c, "KEY"))
			return drop_index(c, false);
		if (accept(c, "PRIMARY"))
			return expect(c, "KEY", "DROP PRIMARY KEY") && drop_index(c, true);
		if (accept(c, "FOREIGN")) {     /* its index stays */
			char name[DDL_NAME_SIZE];
			if (!expect(c, "KEY", "DROP FOREIGN KEY"))
				return false;
			if (accept(c, "IF") && !expect(c, "EXISTS", "IF EXISTS"))
				return false;
			return read_name(c, name, "a foreign key's name");
		}
		if (accept(c, "CONSTRAINT") || accept(c, "CHECK")) {
			char name[DDL_NAME_SIZE];
			if (accept(c, "IF") && !expect(c, "EXISTS", "IF EXISTS"))
				return false;
			if (!read_name(c, name, "a constraint's name"))
				return false;
			if (c->t->nck > 0 || index_find(c->t, name) >= 0)
				return fail(c, "DROP CONSTRAINT %s on a table with JSON checks or an index of that name is not "
							"modelled", name);
			return true;    /* an ignored CHECK */
		}
		if (peek(c, &tok) == DDL_TOK_WORD && (ddl_is(&tok, "PARTITION") || ddl_is(&tok, "PERIOD") ||
											  ddl_is(&tok, "SYSTEM")))
			return fail(c, "DROP %s is not modelled", tok.text);
		return drop_column(c);
	}
	if (accept(c, "MODIFY")) {
		(void) accept(c, "COLUMN");
		*took_coll = true;
		return change_column(c, false);
	}
	if (accept(c, "CHANGE")) {
		(void) accept(c, "COLUMN");
		*took_coll = true;
		return change_column(c, true);
	}
	if (accept(c, "RENAME"))
		return rename_clause(c);
	if (accept(c, "ALTER"))
		return alter_default(c);
	if (accept(c, "ALGORITHM") || accept(c, "LOCK"))
		return skip_value(c);
	if (accept(c, "FORCE"))
		return true;
	if (accept(c, "ORDER")) {
		char col[DDL_NAME_SIZE];
		if (!expect(c, "BY", "ORDER BY"))
			return false;
		do {
			if (!read_name(c, col, "a column"))
				return false;
			if (!accept(c, "ASC"))
				(void) accept(c, "DESC");
		} while (accept_punct(c, ','));
		return true;
	}
	if (!table_option(c, &matched, changed_coll))
		return false;
	if (matched)
		return true;
	peek(c, &tok);
	return fail(c, "ALTER TABLE clause %s is not modelled", tok_desc(&tok, d, sizeof(d)));
}

/* run_alter: after ALTER: [ONLINE] [IGNORE] TABLE [IF EXISTS] t [WAIT n|NOWAIT] clauses */
static bool
run_alter(da_ctx *c, const char *table)
{
	char name[DDL_NAME_SIZE];
	ddl_token tok;
	char d[64];
	bool took_coll = false, changed_coll = false;

	(void) accept(c, "ONLINE");
	(void) accept(c, "IGNORE");
	if (!expect(c, "TABLE", "ALTER TABLE"))
		return false;
	if (accept(c, "IF") && !expect(c, "EXISTS", "IF EXISTS"))
		return false;
	if (!read_table_name(c, name))
		return false;
	if (strcmp(name, table) != 0)
		return fail(c, "the statement alters table %s, not %s", name, table);
	if (accept(c, "WAIT")) {
		if (next(c, &tok) != DDL_TOK_NUMBER)
			return fail(c, "expected a number after WAIT");
	} else
		(void) accept(c, "NOWAIT");
	if (peek(c, &tok) == DDL_TOK_END)
		return true;
	for (;;) {
		if (!alter_clause(c, &took_coll, &changed_coll))
			return false;
		if (accept_punct(c, ','))
			continue;
		if (peek(c, &tok) == DDL_TOK_END || (ddl_is_punct(&tok, ';') && (next(c, &tok), peek(c, &tok) == DDL_TOK_END)))
			break;
		if (c->failed)
			return false;
		if (peek(c, &tok) == DDL_TOK_WORD && (ddl_is(&tok, "PARTITION") || ddl_is(&tok, "REMOVE")))
			return fail(c, "partitioning is not modelled");
		/* table options may follow each other without commas */
		if (tok.kind != DDL_TOK_WORD)
			return fail(c, "unexpected %s", tok_desc(&tok, d, sizeof(d)));
	}
	if (took_coll && changed_coll)
		return fail(c, "a column changed in the same statement as the table's default character set: not modelled");
	return !c->failed;
}

/* run_index: CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX ... ON t, DROP INDEX ... ON t */
static bool
run_create_index(da_ctx *c, const char *table, da_keykind kind)
{
	da_keydef kd = { .kind = kind };
	char name[DDL_NAME_SIZE];
	bool ok;

	if (!expect(c, "INDEX", "CREATE INDEX"))
		return false;
	if (accept(c, "IF")) {
		if (!expect(c, "NOT", "IF NOT EXISTS") || !expect(c, "EXISTS", "IF NOT EXISTS"))
			return false;
		kd.if_not_exists = true;
	}
	if (!read_name(c, kd.name, "an index name"))
		return false;
	if ((accept(c, "USING") || accept(c, "TYPE")) && !read_index_type(c, &kd))
		return false;
	if (!expect(c, "ON", "CREATE INDEX") || !read_table_name(c, name))
		return false;
	if (strcmp(name, table) != 0)
		return fail(c, "the statement indexes table %s, not %s", name, table);
	ok = read_key_parts(c, &kd);
	while (ok && !at_clause_end(c)) {
		if (accept(c, "ALGORITHM") || accept(c, "LOCK"))
			ok = skip_value(c);
		else
			ok = fail(c, "CREATE INDEX option not modelled");
	}
	ok = ok && add_index(c, &kd, kd.using_hash);
	keydef_free(&kd);
	return ok;
}

static bool
run_drop_index(da_ctx *c, const char *table)
{
	char iname[DDL_NAME_SIZE], name[DDL_NAME_SIZE];
	bool if_exists = false;

	if (accept(c, "IF")) {
		if (!expect(c, "EXISTS", "IF EXISTS"))
			return false;
		if_exists = true;
	}
	if (!read_name(c, iname, "an index name") || !expect(c, "ON", "DROP INDEX") || !read_table_name(c, name))
		return false;
	if (strcmp(name, table) != 0)
		return fail(c, "the statement drops an index of table %s, not %s", name, table);
	while (!at_clause_end(c)) {
		if (!(accept(c, "ALGORITHM") || accept(c, "LOCK")) || !skip_value(c))
			return fail(c, "DROP INDEX option not modelled");
	}
	int i = index_find(c->t, iname);
	if (i < 0)
		return if_exists ? true : fail(c, "no index %s", iname);
	index_free(&c->t->ix[i]);
	memmove(&c->t->ix[i], &c->t->ix[i + 1], (c->t->nix - (size_t) i - 1) * sizeof(da_index));
	c->t->nix--;
	return true;
}

/* at_end: nothing but an optional ';' is left */
static bool
at_end(da_ctx *c)
{
	ddl_token tok;
	char d[64];

	(void) accept_punct(c, ';');
	if (peek(c, &tok) == DDL_TOK_END)
		return true;
	return fail(c, "unexpected %s", tok_desc(&tok, d, sizeof(d)));
}

static void
ctx_init(da_ctx *c, const char *sql, const ddl_apply_env *env, da_table *t, char *why, size_t whylen)
{
	memset(c, 0, sizeof(*c));
	c->sql = sql;
	c->env = env;
	c->t = t;
	c->why = why;
	c->whylen = whylen;
	ddl_lexer_init(&c->lx, sql, env->lexer_flags);
	if (whylen)
		why[0] = '\0';
}

static void
ctx_free(da_ctx *c)
{
	ddl_lexer_free(&c->lx);
	for (size_t i = 0; i < c->nfk; i++) {
		free(c->fks[i].name);
		for (size_t k = 0; k < c->fks[i].n; k++)
			free(c->fks[i].cols[k]);
		free(c->fks[i].cols);
	}
	free(c->fks);
	free(c->hash_declared);
}

/* ddl_apply: see ddl_apply.h */
bool
ddl_apply(const char *described, const char *table, const char *sql, const ddl_apply_env *env, char **out,
		  char *why, size_t whylen)
{
	da_table t;
	da_ctx c;
	bool ok;

	*out = NULL;
	if (!table_load(described, &t, why, whylen))
		return false;
	ctx_init(&c, sql, env, &t, why, whylen);
	if (accept(&c, "ALTER"))
		ok = run_alter(&c, table);
	else if (accept(&c, "CREATE")) {
		if (accept(&c, "OR") && !expect(&c, "REPLACE", "CREATE OR REPLACE"))
			ok = false;
		else {
			if (!accept(&c, "ONLINE"))
				(void) accept(&c, "OFFLINE");
			da_keykind kind = accept(&c, "UNIQUE") ? KD_UNIQUE : accept(&c, "FULLTEXT") ? KD_FULLTEXT :
				accept(&c, "SPATIAL") ? KD_SPATIAL : KD_INDEX;
			ok = run_create_index(&c, table, kind);
		}
	} else if (accept(&c, "DROP")) {
		if (!accept(&c, "ONLINE"))
			(void) accept(&c, "OFFLINE");
		ok = expect(&c, "INDEX", "DROP INDEX") && run_drop_index(&c, table);
	} else
		ok = fail(&c, "not a statement that changes a table's columns or indexes");
	ok = ok && at_end(&c) && table_dump(&t, out, why, whylen);
	if (!ok && !c.failed && whylen && !why[0])
		snprintf(why, whylen, "the statement could not be read: %.300s", sql);
	ctx_free(&c);
	table_free(&t);
	return ok;
}

/* create_like: LIKE s: s's description, a new table's counters */
static bool
create_like(da_ctx *c, const char *like_described)
{
	if (!like_described)
		return fail(c, "CREATE TABLE ... LIKE needs the description of the table it copies");
	if (!table_load(like_described, c->t, c->why, c->whylen)) {
		c->failed = true;
		return false;
	}
	bool ai = false;
	for (size_t i = 0; i < c->t->ncols; i++)
		if (c->t->cols[i].f[C_EXTRA] && strstr(c->t->cols[i].f[C_EXTRA], "auto_increment"))
			ai = true;
	set_field(&c->t->tf[T_ROWS], "0");
	set_field(&c->t->tf[T_AI], ai ? "1" : NULL);
	return true;
}

/* create_defs: (column definitions and keys) options, of CREATE TABLE */
static bool
create_defs(da_ctx *c)
{
	da_table *t = c->t;
	da_coldef *defs = NULL;
	size_t ndefs = 0;
	ddl_token tok;
	bool ok = true, matched, changed = false, not_key;
	size_t mark;    /* the lexer's place where the key definitions start again */

	/* first pass: the columns; keys are read in a second pass once the
	 * columns exist (and the table's collation is known) */
	const char *start = c->lx.p;
	do {
		if (peek(c, &tok) == DDL_TOK_WORD && (ddl_is(&tok, "CONSTRAINT") || ddl_is(&tok, "PRIMARY") ||
											  ddl_is(&tok, "UNIQUE") || ddl_is(&tok, "INDEX") ||
											  ddl_is(&tok, "KEY") || ddl_is(&tok, "FULLTEXT") ||
											  ddl_is(&tok, "SPATIAL") || ddl_is(&tok, "FOREIGN") ||
											  ddl_is(&tok, "CHECK") || ddl_is(&tok, "PERIOD") ||
											  ddl_is(&tok, "LIKE"))) {
			if (ddl_is(&tok, "PERIOD") || ddl_is(&tok, "LIKE"))
				ok = fail(c, "%s in CREATE TABLE is not modelled", tok.text);
			int depth = 0;      /* skip it for now */
			while (ok && !c->failed) {
				peek(c, &tok);
				if (tok.kind == DDL_TOK_END)
					break;
				if (depth == 0 && (ddl_is_punct(&tok, ',') || ddl_is_punct(&tok, ')')))
					break;
				next(c, &tok);
				depth += ddl_is_punct(&tok, '(') - ddl_is_punct(&tok, ')');
			}
		} else {
			defs = xrealloc(defs, (ndefs + 1) * sizeof(da_coldef));
			ok = read_coldef(c, &defs[ndefs], false);
			ndefs++;
		}
	} while (ok && !c->failed && accept_punct(c, ','));
	ok = ok && !c->failed && expect_punct(c, ')', "CREATE TABLE's definitions");
	mark = (size_t) (c->lx.p - c->sql);
	(void) mark;
	/* options */
	while (ok && peek(c, &tok) != DDL_TOK_END && !ddl_is_punct(&tok, ';')) {
		if (accept_punct(c, ','))
			continue;
		if (tok.kind == DDL_TOK_WORD && (ddl_is(&tok, "AS") || ddl_is(&tok, "SELECT") || ddl_is(&tok, "IGNORE") ||
										 ddl_is(&tok, "REPLACE") || ddl_is(&tok, "PARTITION") ||
										 ddl_is(&tok, "WITH")))
			ok = fail(c, "CREATE TABLE ... %s is not modelled", tok.text);
		else if (!table_option(c, &matched, &changed))
			ok = false;
		else if (!matched) {
			char d[64];
			ok = fail(c, "table option %s is not modelled", tok_desc(&tok, d, sizeof(d)));
		}
	}
	const char *end = c->lx.p;
	if (ok && !t->tf[T_COLL]) {
		if (!c->env->db_collation)
			ok = fail(c, "CREATE TABLE without a character set needs the database's default collation");
		else if (!collation_find(c->env->db_collation))
			ok = fail(c, "collation %s is not modelled", c->env->db_collation);
		else
			set_field(&t->tf[T_COLL], collation_find(c->env->db_collation)->name);
	}
	if (ok && !t->tf[T_ENGINE])
		ok = c->env->default_engine ? set_engine(c, c->env->default_engine) :
			fail(c, "CREATE TABLE without ENGINE needs the server's default engine");

	/* the columns, then every key in the statement's order */
	t->cols = xcalloc(ndefs + 1, sizeof(da_col));
	for (size_t i = 0; ok && i < ndefs; i++) {
		if (col_find(t, defs[i].name) >= 0) {
			ok = fail(c, "column %s twice", defs[i].name);
			break;
		}
		ok = build_column(c, &defs[i], defs[i].primary, &t->cols[t->ncols]);
		if (ok)
			t->ncols++;
	}
	if (ok) {
		c->hash_declared = xcalloc(1, sizeof(bool));
		ddl_lexer_free(&c->lx);
		ddl_lexer_init(&c->lx, c->sql, c->env->lexer_flags);
		c->lx.p = start;
		size_t col = 0;
		do {
			if (!read_key_clause(c, &not_key)) {
				if (!not_key) {
					ok = false;
					break;
				}
				da_coldef skip;     /* a column again: its inline keys and checks, in order */
				ok = read_coldef(c, &skip, false);
				if (ok && (skip.ty.kind == K_JSON || skip.json_check))
					add_check(t, t->cols[col].f[C_NAME], "Column");
				if (ok)
					ok = inline_keys(c, &defs[col]);
				coldef_free(&skip);
				col++;
			}
		} while (ok && !c->failed && accept_punct(c, ',') && c->lx.p < end);
	}
	/* a FOREIGN KEY's index, unless another index covers its columns */
	for (size_t i = 0; ok && i < c->nfk; i++) {
		da_keydef kd = { .kind = KD_INDEX };
		for (size_t k = 0; k < c->fks[i].n; k++)
			keydef_add_col(&kd, c->fks[i].cols[k], -1);
		ok = add_foreign(c, &kd, c->fks[i].name[0] ? c->fks[i].name : NULL);
		keydef_free(&kd);
	}
	if (ok) {
		ddl_lexer_free(&c->lx);
		ddl_lexer_init(&c->lx, c->sql, c->env->lexer_flags);
		c->lx.p = end;
	}
	bool ai = false;
	for (size_t i = 0; i < t->ncols; i++)
		if (strstr(t->cols[i].f[C_EXTRA], "auto_increment"))
			ai = true;
	set_field(&t->tf[T_TYPE], "BASE TABLE");
	set_field(&t->tf[T_ROWS], "0");
	set_field(&t->tf[T_AI], ai ? "1" : NULL);
	for (size_t i = 0; i < ndefs; i++)
		coldef_free(&defs[i]);
	free(defs);
	return ok && !c->failed;
}

/* ddl_apply_create: see ddl_apply.h */
bool
ddl_apply_create(const char *sql, const char *like_described, const ddl_apply_env *env, char **out, char *why,
				 size_t whylen)
{
	da_table t;
	da_ctx c;
	char name[DDL_NAME_SIZE];
	bool ok;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	ctx_init(&c, sql, env, &t, why, whylen);
	c.creating = true;
	ok = expect(&c, "CREATE", "CREATE TABLE");
	if (ok && accept(&c, "OR"))
		ok = expect(&c, "REPLACE", "CREATE OR REPLACE");
	if (ok && accept(&c, "TEMPORARY"))
		ok = fail(&c, "a temporary table");
	ok = ok && expect(&c, "TABLE", "CREATE TABLE");
	if (ok && accept(&c, "IF"))
		ok = expect(&c, "NOT", "IF NOT EXISTS") && expect(&c, "EXISTS", "IF NOT EXISTS");
	ok = ok && read_table_name(&c, name);
	if (ok && accept(&c, "LIKE"))
		ok = read_table_name(&c, name) && create_like(&c, like_described);
	else if (ok && expect_punct(&c, '(', "CREATE TABLE")) {
		if (accept(&c, "LIKE"))
			ok = read_table_name(&c, name) && expect_punct(&c, ')', "CREATE TABLE (LIKE t)") &&
				create_like(&c, like_described);
		else
			ok = create_defs(&c);
	} else
		ok = false;
	ok = ok && at_end(&c) && table_dump(&t, out, why, whylen);
	if (!ok && whylen && !why[0])
		snprintf(why, whylen, "the statement could not be read: %.300s", sql);
	ctx_free(&c);
	table_free(&t);
	return ok;
}
