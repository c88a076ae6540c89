/* SPDX-License-Identifier: MIT */
/*
 * RFC 8785 (JSON Canonicalization Scheme) serialization of a jansson value:
 * no whitespace, object keys sorted by their UTF-16 code units, strings
 * escaped as ECMAScript's JSON.stringify does (\" \\ \b \f \n \r \t, other
 * control characters as lowercase \u00xx, everything else raw).  Kettle's
 * documents hold integers only: a real, or an integer that an IEEE 754
 * double cannot hold exactly (|n| > 2^53 - 1), is refused rather than
 * rounded.
 */
#ifndef KETTLE_JCS_H
#define KETTLE_JCS_H

#include <stddef.h>

#include <jansson.h>

#define JCS_MAX_DEPTH 256       /* nesting of arrays and objects */
#define JCS_MAX_SAFE_INT 9007199254740991LL     /* 2^53 - 1 */

/*
 * The canonical bytes of V (malloc'd, NUL-terminated for convenience; *LEN
 * excludes the NUL).  NULL with a one-line ERR naming the offending value's
 * JSON pointer when V holds a real, an unsafe integer, invalid UTF-8, a
 * duplicate key, or nests deeper than JCS_MAX_DEPTH.
 */
char *jcs_dump(const json_t *v, size_t *len, char *err, size_t errlen);

/*
 * An array too long to hold as jansson values (a monorepo's dependencies):
 * its N elements as canonical bytes already (jcs_dump of each), written in
 * place of HOLE, an array of the document (its own elements are ignored).
 * AT, when set, receives the offset in the output just after HOLE's '[':
 * with N 0, where a caller that writes the document in parts puts them.
 * NEXT: the items of another hole, or NULL.
 */
struct jcs_items {
	const json_t *hole;
	const char *const *bytes;
	const size_t *lens;
	size_t n;
	size_t *at;
	const struct jcs_items *next;
};

/* jcs_dump of V with ITEMS (may be NULL) in place of their hole. */
char *jcs_dump_items(const json_t *v, const struct jcs_items *items, size_t *len, char *err, size_t errlen);

/* <0, 0, >0 as A sorts before, with or after B under RFC 8785 (UTF-16 code units); both valid UTF-8. */
int jcs_key_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
