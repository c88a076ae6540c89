// SPDX-License-Identifier: MIT
/* Evidence through configfs-tsm. */
#include "attest/tsm.h"
#include "common/errf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file_bytes.h"

bool tsm_present(const char *root)
{
	struct stat st;

	return stat(root, &st) == 0 && S_ISDIR(st.st_mode);
}

static int attr_path(char *buf, size_t len, const char *entry, const char *attr)
{
	return (size_t)snprintf(buf, len, "%s/%s", entry, attr) < len ? 0 : -1;
}

/* A small text attribute (provider, generation), without its trailing newline. */
static int read_text_attr(const char *entry, const char *attr, char *out, size_t max,
			  char *err, size_t errlen)
{
	char path[PATH_MAX];
	uint8_t *buf;
	size_t len;

	if (attr_path(path, sizeof(path), entry, attr))
		return errf(err, errlen, "%s/%s: path too long", entry, attr);
	if (file_read_bounded(path, max - 1, &buf, &len, err, errlen))
		return -1;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
		len--;
	memcpy(out, buf, len);
	out[len] = '\0';
	free(buf);
	return 0;
}

static int read_generation(const char *entry, uint64_t *gen, char *err, size_t errlen)
{
	char text[32], *end;

	if (read_text_attr(entry, "generation", text, sizeof(text), err, errlen))
		return -1;
	errno = 0;
	*gen = strtoull(text, &end, 10);
	if (!text[0] || *end || errno)
		return errf(err, errlen, "%s/generation: not a number: '%s'", entry, text);
	return 0;
}

static int write_inblob(const char *entry, const uint8_t data[REPORT_DATA_LEN], char *err, size_t errlen)
{
	char path[PATH_MAX];
	ssize_t w;
	int fd;

	if (attr_path(path, sizeof(path), entry, "inblob"))
		return errf(err, errlen, "%s/inblob: path too long", entry);
	/* No O_CREAT: configfs makes the attribute with the entry; its absence is an error. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	do
		w = write(fd, data, REPORT_DATA_LEN);
	while (w < 0 && errno == EINTR);
	if (w != REPORT_DATA_LEN) {
		int e = w < 0 ? errno : EIO;

		close(fd);
		return errf(err, errlen, "%s: write: %s", path, strerror(e));
	}
	if (close(fd))
		return errf(err, errlen, "%s: close: %s", path, strerror(errno));
	return 0;
}

static int read_blob(const char *entry, const char *attr, size_t max, bool optional,
		     uint8_t **out, size_t *len, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (attr_path(path, sizeof(path), entry, attr))
		return errf(err, errlen, "%s/%s: path too long", entry, attr);
	if (optional && access(path, F_OK) && errno == ENOENT) {
		*out = NULL;
		*len = 0;
		return 0;
	}
	return file_read_bounded(path, max, out, len, err, errlen);
}

/* One request in ENTRY; 1 when the generation moved under us (try again). */
static int request(const char *entry, const uint8_t data[REPORT_DATA_LEN], struct tsm_evidence *out,
		   char *err, size_t errlen)
{
	uint64_t before, after;

	if (read_generation(entry, &before, err, errlen) ||
	    write_inblob(entry, data, err, errlen) ||
	    read_blob(entry, "outblob", TSM_OUTBLOB_MAX, false, &out->outblob, &out->outlen, err, errlen) ||
	    read_blob(entry, "auxblob", TSM_AUXBLOB_MAX, true, &out->auxblob, &out->auxlen, err, errlen) ||
	    read_generation(entry, &after, err, errlen))
		return -1;
	if (after != before + 1) {
		errf(err, errlen, "%s: generation went from %" PRIu64 " to %" PRIu64
		     " during one request: another process wrote to the entry", entry, before, after);
		return 1;
	}
	if (!out->outlen)
		return errf(err, errlen, "%s/outblob: empty: the TSM returned no report", entry);
	return 0;
}

int tsm_get_evidence(const char *root, const uint8_t report_data[REPORT_DATA_LEN],
		     struct tsm_evidence *out, char *err, size_t errlen)
{
	char entry[PATH_MAX];
	bool created = true;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if ((size_t)snprintf(entry, sizeof(entry), "%s/kettle-%d", root, (int)getpid()) >= sizeof(entry))
		return errf(err, errlen, "%s: path too long", root);
	if (mkdir(entry, 0700)) {
		/*
		 * An entry of this name already exists (left by an earlier process
		 * with our pid): entries may be shared, and the generation check
		 * below detects anyone else writing to it.
		 */
		if (errno == ENXIO) {
			errf(err, errlen, "%s: no TSM provider is registered (not a confidential guest?)", root);
			return TSM_NO_PROVIDER;
		}
		if (errno != EEXIST)
			return errf(err, errlen, "%s: cannot create a configfs-tsm report entry: %s",
				    entry, strerror(errno));
		created = false;
	}
	if (read_text_attr(entry, "provider", out->provider, sizeof(out->provider), err, errlen))
		goto out;
	for (out->attempts = 1; out->attempts <= TSM_ATTEMPTS; out->attempts++) {
		r = request(entry, report_data, out, err, errlen);
		if (r <= 0)
			break;
		free(out->outblob);
		free(out->auxblob);
		out->outblob = out->auxblob = NULL;
		out->outlen = out->auxlen = 0;
	}
	if (r > 0) {
		out->attempts = TSM_ATTEMPTS;
		r = -1;
	}
out:
	if (created && rmdir(entry))
		fprintf(stderr, "kettle: warning: cannot remove the configfs-tsm entry %s: %s\n",
			entry, strerror(errno));
	if (r)
		tsm_evidence_free(out);
	return r;
}

void tsm_evidence_free(struct tsm_evidence *e)
{
	free(e->outblob);
	free(e->auxblob);
	memset(e, 0, sizeof(*e));
}
