// SPDX-License-Identifier: MIT
/* File-tree and socket events lost to a ring buffer too small: counted per type, and they add up. */
#include <inttypes.h>

#include "bpf/events.h"
#include "kettle_test.h"

/* Runs event_storm ARGS under a 4 KiB ring buffer; *MADE gets the calls it made. */
static int storm(const char *name, const char *const args[], long *made, struct log_file *f,
		 const struct log_event **ex)
{
	char dir[256], log[300], helper[512], out[300];
	const char *cmd[6] = { helper };
	const char *opts[] = { "--ringbuf-size", "4096", NULL };
	FILE *fp;
	int rc;

	test_workdir(name, dir, log);
	test_path(helper, sizeof(helper), "tests/helpers", "event_storm");
	for (int i = 0; args[i] && i < 4; i++)
		cmd[i + 1] = args[i];
	snprintf(out, sizeof(out), "%s/made", dir);
	rc = kettle_run(log, opts, cmd, out);
	CHECK(rc == 125, "kettle run exited %d after losses, want 125", rc);
	fp = fopen(out, "r");
	CHECK(fp && fscanf(fp, "%ld", made) == 1, "the helper did not report its count");
	fclose(fp);
	CHECK(log_load(log, f) == 0 && f->has_trailer, "log unreadable or without trailer");
	*ex = find_exec(f, helper);
	CHECK(*ex, "the helper's exec was lost: cannot attribute");
	return TEST_PASS;
}

static int file_op_losses_add_up(void)
{
	char target[300];
	const char *args[] = { "chmod", target, "100000", NULL };
	const struct log_event *ex;
	struct log_file f = { 0 };
	size_t delivered = 0;
	long made = 0;
	int rc = bpf_usable();

	if (rc)
		return rc;
	/* A file of its own: chmod 0644 on a shared directory (/tmp) would break every other test. */
	snprintf(target, sizeof(target), "/tmp/kettle-test-%d-fopstorm-target", (int)getpid());
	CHECK(touch(target) == 0, "cannot create %s", target);
	rc = storm("fopstorm", args, &made, &f, &ex);
	unlink(target);
	if (rc)
		return TEST_FAIL;
	for (size_t i = 0; i < f.nevents; i++)
		delivered += f.events[i].type == LOG_EV_FILE_OP && f.events[i].tgid == ex->tgid &&
			     f.events[i].file_op.call == KE_FOP_CHMOD;
	CHECK(f.trailer.losses.ringbuf_drops[LOG_EV_FILE_OP] > 0, "no file_op losses with a 4 KiB ring buffer");
	CHECK(delivered + f.trailer.losses.ringbuf_drops[LOG_EV_FILE_OP] == (uint64_t)made,
	      "delivered %zu + lost %" PRIu64 " != %ld chmods made", delivered,
	      f.trailer.losses.ringbuf_drops[LOG_EV_FILE_OP], made);
	log_file_free(&f);
	return TEST_PASS;
}

static int net_losses_add_up(void)
{
	const char *args[] = { "udp", "100000", NULL };
	const struct log_event *ex;
	struct log_file f = { 0 };
	size_t delivered = 0;
	long made = 0;
	int rc = bpf_usable();

	if (rc)
		return rc;
	if (storm("netstorm", args, &made, &f, &ex))
		return TEST_FAIL;
	for (size_t i = 0; i < f.nevents; i++)
		delivered += f.events[i].type == LOG_EV_NET && f.events[i].tgid == ex->tgid &&
			     f.events[i].net.call == KE_NET_SENDTO;
	CHECK(f.trailer.losses.ringbuf_drops[LOG_EV_NET] > 0, "no net losses with a 4 KiB ring buffer");
	CHECK(delivered + f.trailer.losses.ringbuf_drops[LOG_EV_NET] >= (uint64_t)made,
	      "delivered %zu + lost %" PRIu64 " < %ld sends made", delivered,
	      f.trailer.losses.ringbuf_drops[LOG_EV_NET], made);
	log_file_free(&f);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "file_op_losses_add_up", file_op_losses_add_up },
	{ "net_losses_add_up", net_losses_add_up },
};

TEST_MAIN("loss_events", tests)
