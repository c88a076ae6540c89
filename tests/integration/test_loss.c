// SPDX-License-Identifier: MIT
/* A ring buffer too small for the build: every lost event is counted and kettle fails. */
#include "kettle_test.h"

static int open_storm_losses_add_up(void)
{
	char dir[256], log[300], helper[512], out[300], real[4096];
	const char *cmd[] = { helper, "/etc/hostname", "200000", NULL };
	/*
	 * --env none: the helper's environment, sent in pieces ahead of its exec,
	 * would fill the 4 KiB ring before the storm, and a sanitizer runtime's
	 * start-up opens dropped then would count as losses the storm did not make.
	 */
	const char *opts[] = { "--ringbuf-size", "4096", "--env", "none", NULL };
	const char *allow[] = { "--ringbuf-size", "4096", "--env", "none", "--allow-loss", NULL };
	struct log_file f = { 0 };
	const struct log_event *ex;
	long made = 0;
	FILE *fp;
	size_t delivered;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("storm", dir, log);
	test_path(helper, sizeof(helper), "tests/helpers", "open_storm");
	snprintf(out, sizeof(out), "%s/made", dir);
	rc = kettle_run(log, opts, cmd, out);
	CHECK(rc == 125, "kettle run exited %d after losses, want 125", rc);
	fp = fopen(out, "r");
	CHECK(fp && fscanf(fp, "%ld", &made) == 1, "the helper did not report its count");
	fclose(fp);
	CHECK(made == 200000, "helper made %ld opens", made);
	CHECK(log_load(log, &f) == 0, "log unreadable");
	CHECK(f.has_trailer, "no trailer");
	CHECK(f.trailer.losses.ringbuf_drops[LOG_EV_OPEN] > 0, "no open losses with a 4 KiB ring buffer");
	CHECK(realpath("/etc/hostname", real), "realpath");
	ex = find_exec(&f, helper);
	CHECK(ex, "the helper's exec was lost: cannot attribute");
	delivered = count_opens(&f, real, ex->tgid);
	/*
	 * Every storm open is delivered or counted lost. A sanitizer runtime's own
	 * opens (of /proc files) can be lost in the same full ring and counted too:
	 * a few lost opens more than the storm made, never fewer.
	 */
	CHECK(delivered + f.trailer.losses.ringbuf_drops[LOG_EV_OPEN] >= (uint64_t)made &&
	      delivered + f.trailer.losses.ringbuf_drops[LOG_EV_OPEN] <= (uint64_t)made + 64,
	      "delivered %zu + lost %llu does not account for %ld opens made", delivered,
	      (unsigned long long)f.trailer.losses.ringbuf_drops[LOG_EV_OPEN], made);
	log_file_free(&f);

	rc = kettle_run(log, allow, cmd, "/dev/null");
	CHECK(rc == 0, "with --allow-loss kettle exited %d, want the build's 0", rc);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "open_storm_losses_add_up", open_storm_losses_add_up },
};

TEST_MAIN("loss", tests)
