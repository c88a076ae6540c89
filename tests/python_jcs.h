/* SPDX-License-Identifier: MIT */
/*
 * An independent RFC 8785 canonicalizer for the tests: Python's json module
 * (json.dumps escapes as JCS does; ensure_ascii=False keeps non-ASCII raw)
 * plus object keys ordered by their UTF-16 code units, and an RFC 6962
 * Merkle tree hash over canonical array entries.  Nothing of kettle's own
 * code is used, so an agreement means something.
 */
#ifndef KETTLE_PYTHON_JCS_H
#define KETTLE_PYTHON_JCS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char python_jcs_script[] =
	"import hashlib, json, sys\n"
	"def c(v):\n"
	"    if isinstance(v, dict):\n"
	"        ks = sorted(v, key=lambda k: k.encode('utf-16-be'))\n"
	"        return '{' + ','.join(json.dumps(k, ensure_ascii=False) + ':' + c(v[k]) for k in ks) + '}'\n"
	"    if isinstance(v, list):\n"
	"        return '[' + ','.join(c(x) for x in v) + ']'\n"
	"    if v is None or isinstance(v, (bool, int, str)):\n"
	"        return json.dumps(v, ensure_ascii=False)\n"
	"    raise ValueError(repr(v))\n"
	"def mth(l):\n"
	"    H = lambda b: hashlib.sha256(b).digest()\n"
	"    if not l: return H(b'')\n"
	"    if len(l) == 1: return H(b'\\x00' + c(l[0]).encode('utf-8'))\n"
	"    k = 1\n"
	"    while k * 2 < len(l): k *= 2\n"
	"    return H(b'\\x01' + mth(l[:k]) + mth(l[k:]))\n"
	"v = json.load(open(sys.argv[2], encoding='utf-8'))\n"
	"if sys.argv[1] == 'canon': sys.stdout.buffer.write(c(v).encode('utf-8'))\n"
	"else: sys.stdout.write(mth(v).hex())\n";

static inline int python_available(void)
{
	return system("python3 -c 'import json, hashlib' 2>/dev/null") == 0;
}

/*
 * Runs the script with MODE ("canon": the canonical bytes of the JSON in
 * IN_PATH; "merkle": the hex Merkle root of the array in IN_PATH). The
 * output (malloc'd, NUL-terminated) or NULL.
 */
static inline char *python_jcs(const char *mode, const char *in_path, size_t *len)
{
	char script[] = "/tmp/kettle-jcs-py-XXXXXX", cmd[600];
	size_t cap = 1 << 16, n = 0, got;
	char *out = malloc(cap);
	int fd = mkstemp(script);
	FILE *p;

	if (!out || fd < 0 || write(fd, python_jcs_script, strlen(python_jcs_script)) < 0 || close(fd)) {
		free(out);
		return NULL;
	}
	snprintf(cmd, sizeof(cmd), "python3 %s %s '%s'", script, mode, in_path);
	p = popen(cmd, "r");
	while (p && (got = fread(out + n, 1, cap - n - 1, p)) > 0) {
		n += got;
		if (n + 1 == cap) {
			char *b = realloc(out, cap *= 2);

			if (!b)
				break;
			out = b;
		}
	}
	if (!p || pclose(p) != 0) {
		free(out);
		out = NULL;
	} else {
		out[n] = '\0';
		*len = n;
	}
	unlink(script);
	return out;
}

#endif
