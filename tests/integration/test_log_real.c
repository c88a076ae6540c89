// SPDX-License-Identifier: MIT
/*
 * The log of a real run, cut at every byte, reads back to its last complete
 * record: as kettle run writes it (zstd), and uncompressed.
 */
#include "kettle_test.h"

static int truncated_everywhere(const char *compression)
{
	const char *cmd[] = { "sh", "-c", "cat /etc/hostname; ls / >/dev/null", NULL };
	const char *opts[] = { "--log-compression", compression, NULL };
	char dir[256], log[300], err[512];
	struct log_file full = { 0 };
	uint8_t *buf;
	size_t len;
	FILE *fp;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("trunc", dir, log);
	CHECK(kettle_run(log, opts, cmd, "/dev/null") == 0, "kettle run failed");
	CHECK(log_load(log, &full) == 0, "log unreadable");
	CHECK(full.compressed == !strcmp(compression, "zstd"), "--log-compression %s: compressed %d", compression,
	      full.compressed);
	fp = fopen(log, "rb");
	CHECK(fp, "open log");
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = malloc(len);
	CHECK(buf && fread(buf, 1, len, fp) == len, "read log");
	fclose(fp);
	for (size_t cut = 0; cut < len; cut++) {
		struct log_file part = { 0 };

		rc = log_read_buffer(buf, cut, &part, err, sizeof(err));
		if (rc == 0) {
			CHECK(part.truncated, "cut at %zu of %zu not reported as truncated", cut, len);
			/* a compressed log's offsets are of its CBOR, which the cut gave this much of */
			CHECK(part.file_bytes == cut && part.valid_bytes <= part.content_bytes &&
			      part.content_bytes <= full.content_bytes && (full.compressed || part.content_bytes == cut),
			      "valid_bytes %llu beyond %llu CBOR bytes at cut %zu", (unsigned long long)part.valid_bytes,
			      (unsigned long long)part.content_bytes, cut);
			CHECK(part.nevents <= full.nevents, "more events than the whole log");
			for (size_t i = 0; i < part.nevents; i++)
				CHECK(part.events[i].type == full.events[i].type &&
				      part.events[i].ts_ns == full.events[i].ts_ns, "event %zu differs at cut %zu", i, cut);
			log_file_free(&part);
		} else {
			CHECK(err[0] && !strchr(err, '\n'), "no one-line error at cut %zu", cut);
		}
	}
	free(buf);
	log_file_free(&full);
	return TEST_PASS;
}

static int real_log_truncated_everywhere(void)
{
	return truncated_everywhere("zstd");
}

static int uncompressed_real_log_truncated_everywhere(void)
{
	return truncated_everywhere("none");
}

static const struct test tests[] = {
	{ "real_log_truncated_everywhere", real_log_truncated_everywhere },
	{ "uncompressed_real_log_truncated_everywhere", uncompressed_real_log_truncated_everywhere },
};

TEST_MAIN("log_real", tests)
