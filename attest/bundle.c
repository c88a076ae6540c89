// SPDX-License-Identifier: MIT
/* The evidence bundle's model and its writer; bundle_read.c is the reader. */
#include "attest/bundle.h"
#include "common/errf.h"
#include "common/file_bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cbor.h>

#ifndef KETTLE_VERSION
#define KETTLE_VERSION "unknown"
#endif

#define HEAD_SLACK 4096u        /* map/array heads and keys, all small */

static const char *const platform_names[] = {
	[PLATFORM_SEV_SNP] = "sev-snp",
	[PLATFORM_TDX] = "tdx",
	[PLATFORM_SIM_SEV_SNP] = "sim-sev-snp",
};

const char *bundle_platform_name(enum bundle_platform p)
{
	if (p <= PLATFORM_NONE || p > PLATFORM_SIM_SEV_SNP)
		return NULL;
	return platform_names[p];
}

enum bundle_platform bundle_platform_from_name(const char *name, size_t len)
{
	for (int p = PLATFORM_SEV_SNP; p <= PLATFORM_SIM_SEV_SNP; p++)
		if (strlen(platform_names[p]) == len && !memcmp(platform_names[p], name, len))
			return (enum bundle_platform)p;
	return PLATFORM_NONE;
}

static int set_bytes(uint8_t **field, size_t *flen, const uint8_t *p, size_t len, size_t max,
		     const char *what, char *err, size_t errlen)
{
	uint8_t *copy;

	if (len > max)
		return errf(err, errlen, "%s of %zu bytes exceeds the limit of %zu", what, len, max);
	copy = malloc(len ? len : 1);
	if (!copy)
		return errf(err, errlen, "%s: out of memory", what);
	if (len)
		memcpy(copy, p, len);
	free(*field);
	*field = copy;
	*flen = len;
	return 0;
}

int bundle_set_statement(struct bundle *b, const uint8_t *p, size_t len, char *err, size_t errlen)
{
	return set_bytes(&b->statement, &b->statement_len, p, len, BUNDLE_STATEMENT_MAX,
			 "statement", err, errlen);
}

int bundle_set_report(struct bundle *b, const uint8_t *p, size_t len, char *err, size_t errlen)
{
	return set_bytes(&b->report, &b->report_len, p, len, BUNDLE_REPORT_MAX,
			 "report", err, errlen);
}

int bundle_add_cert(struct bundle *b, const char *role, const uint8_t *der, size_t len,
		    char *err, size_t errlen)
{
	struct bundle_cert *c;

	if (b->ncerts == BUNDLE_CERTS_MAX)
		return errf(err, errlen, "more than %d certificates", BUNDLE_CERTS_MAX);
	if (!*role || strlen(role) >= BUNDLE_ROLE_MAX)
		return errf(err, errlen, "certificate role '%s' is empty or longer than %d bytes",
			    role, BUNDLE_ROLE_MAX - 1);
	if (!len)
		return errf(err, errlen, "certificate '%s' is empty", role);
	c = &b->certs[b->ncerts];
	memset(c, 0, sizeof(*c));
	if (set_bytes(&c->der, &c->len, der, len, BUNDLE_CERT_MAX, "certificate", err, errlen))
		return -1;
	snprintf(c->role, sizeof(c->role), "%s", role);
	b->ncerts++;
	return 0;
}

const struct bundle_cert *bundle_find_cert(const struct bundle *b, const char *role)
{
	for (size_t i = 0; i < b->ncerts; i++)
		if (!strcmp(b->certs[i].role, role))
			return &b->certs[i];
	return NULL;
}

void bundle_stamp(struct bundle *b)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) || !strftime(b->created, sizeof(b->created), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(b->created, sizeof(b->created), "1970-01-01T00:00:00Z");
	snprintf(b->kettle_version, sizeof(b->kettle_version), "%s", KETTLE_VERSION);
}

void bundle_free(struct bundle *b)
{
	free(b->statement);
	free(b->report);
	for (size_t i = 0; i < b->ncerts; i++)
		free(b->certs[i].der);
	memset(b, 0, sizeof(*b));
}

/* ---- writer ---- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool full;
};

static void advance(struct wbuf *w, size_t n)
{
	if (!n)
		w->full = true;
	w->len += n;
}

static void put_raw(struct wbuf *w, const void *p, size_t n)
{
	if (w->full || w->cap - w->len < n) {
		w->full = true;
		return;
	}
	if (n)
		memcpy(w->p + w->len, p, n);
	w->len += n;
}

static void put_text(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);

	if (!w->full)
		advance(w, cbor_encode_string_start(n, w->p + w->len, w->cap - w->len));
	put_raw(w, s, n);
}

static void put_bytes(struct wbuf *w, const uint8_t *p, size_t n)
{
	if (!w->full)
		advance(w, cbor_encode_bytestring_start(n, w->p + w->len, w->cap - w->len));
	put_raw(w, p, n);
}

static void put_uint(struct wbuf *w, uint64_t v)
{
	if (!w->full)
		advance(w, cbor_encode_uint(v, w->p + w->len, w->cap - w->len));
}

static void put_bool(struct wbuf *w, bool v)
{
	if (!w->full)
		advance(w, cbor_encode_bool(v, w->p + w->len, w->cap - w->len));
}

static void put_map(struct wbuf *w, size_t n)
{
	if (!w->full)
		advance(w, cbor_encode_map_start(n, w->p + w->len, w->cap - w->len));
}

static void put_array(struct wbuf *w, size_t n)
{
	if (!w->full)
		advance(w, cbor_encode_array_start(n, w->p + w->len, w->cap - w->len));
}

int bundle_encode(const struct bundle *b, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	const char *platform = bundle_platform_name(b->platform);
	struct wbuf w = { 0 };

	*out = NULL;
	*len = 0;
	if (!platform)
		return errf(err, errlen, "bundle has no platform");
	if (b->simulated != (b->platform == PLATFORM_SIM_SEV_SNP))
		return errf(err, errlen, "bundle: simulated must be true exactly for platform sim-sev-snp");
	if (!b->statement || !b->report)
		return errf(err, errlen, "bundle has no %s", b->statement ? "report" : "statement");
	if (b->signing_key_len > BUNDLE_KEY_MAX)
		return errf(err, errlen, "bundle: signing key of %zu bytes", b->signing_key_len);
	w.cap = b->statement_len + b->report_len + b->signing_key_len + HEAD_SLACK;
	for (size_t i = 0; i < b->ncerts; i++)
		w.cap += b->certs[i].len;
	w.p = malloc(w.cap);
	if (!w.p)
		return errf(err, errlen, "bundle: out of memory");

	put_map(&w, 9 + (b->has_nonce ? 1 : 0) + (b->signing_key_len ? 1 : 0));
	put_text(&w, "format");
	put_text(&w, BUNDLE_FORMAT);
	put_text(&w, "version");
	put_uint(&w, b->signing_key_len ? BUNDLE_VERSION_KEYED : BUNDLE_VERSION);
	put_text(&w, "platform");
	put_text(&w, platform);
	put_text(&w, "simulated");
	put_bool(&w, b->simulated);
	put_text(&w, "statement");
	put_bytes(&w, b->statement, b->statement_len);
	put_text(&w, "report");
	put_bytes(&w, b->report, b->report_len);
	put_text(&w, "certs");
	put_array(&w, b->ncerts);
	for (size_t i = 0; i < b->ncerts; i++) {
		put_map(&w, 2);
		put_text(&w, "role");
		put_text(&w, b->certs[i].role);
		put_text(&w, "der");
		put_bytes(&w, b->certs[i].der, b->certs[i].len);
	}
	if (b->has_nonce) {
		put_text(&w, "nonce");
		put_bytes(&w, b->nonce, NONCE_LEN);
	}
	if (b->signing_key_len) {
		put_text(&w, "signing_key");
		put_bytes(&w, b->signing_key, b->signing_key_len);
	}
	put_text(&w, "created");
	put_text(&w, b->created);
	put_text(&w, "kettle_version");
	put_text(&w, b->kettle_version);
	if (w.full) {
		free(w.p);
		return errf(err, errlen, "bundle: encoding overflowed its buffer");
	}
	*out = w.p;
	*len = w.len;
	return 0;
}

int bundle_write_file(const struct bundle *b, const char *path, char *err, size_t errlen)
{
	char tmp[4096], why[128];
	uint8_t *buf;
	size_t len;
	ssize_t done;
	int fd;

	if (bundle_encode(b, &buf, &len, err, errlen))
		return -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= sizeof(tmp)) {
		free(buf);
		return errf(err, errlen, "%s: path too long", path);
	}
	/* never through a symlink or into a file someone else made at this name */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(buf);
		return errf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
	}
	done = file_write_all(fd, buf, len);
	if (done < 0)
		snprintf(why, sizeof(why), "write: %s", strerror((int)-done));
	else if ((size_t)done < len)
		snprintf(why, sizeof(why), "short write: %zd of %zu bytes written", done, len);
	else if (fsync(fd))
		snprintf(why, sizeof(why), "fsync: %s", strerror(errno));
	else
		why[0] = '\0';
	if (why[0]) {
		close(fd);
		unlink(tmp);
		free(buf);
		return errf(err, errlen, "%s: %s", tmp, why);
	}
	free(buf);
	if (close(fd) || rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		return errf(err, errlen, "%s: %s", path, strerror(e));
	}
	return 0;
}
