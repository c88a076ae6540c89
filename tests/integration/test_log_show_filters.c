// SPDX-License-Identifier: MIT
/* kettle log show --pid/--path/--type/--since/--until on a real log: only and all the events asked for. */
#include <inttypes.h>
#include <time.h>

#include <jansson.h>

#include "cli/commands.h"
#include "kettle_test.h"

#define EVENTS_MAX 100000

static char dir[256], log_path[300], out_path[300], err_path[300];
static struct log_file lf;
static bool log_made;

/* One traced build for every test: two cats a little apart, so that time bounds split it. */
static int make_log(void)
{
	const char *cmd[] = { "sh", "-c", "cat /etc/hostname >/dev/null; sleep 0.2; cat /etc/passwd >/dev/null",
			      NULL };
	int rc = bpf_usable();

	if (rc || log_made)
		return rc;
	test_workdir("logfilter", dir, log_path);
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	snprintf(err_path, sizeof(err_path), "%s/err", dir);
	CHECK(kettle_run(log_path, NULL, cmd, NULL) == 0, "kettle run failed");
	CHECK(log_load(log_path, &lf) == 0, "log unreadable");
	log_made = true;
	return TEST_PASS;
}

/* Runs `kettle log show LOG ARGS...`; stdout and stderr land in out_path and err_path. Returns the exit code. */
static int show(const char *const args[])
{
	const char *argv[32] = { "log", "show", log_path };
	int n = 3;

	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return kettle_cli(argv, out_path, err_path);
}

/* The JSON Lines of out_path as one array (NULL when a line is not JSON). */
static json_t *shown_events(void)
{
	json_t *all = json_array();
	FILE *fp = fopen(out_path, "r");
	char line[65536];

	if (!fp || !all) {
		if (fp)
			fclose(fp);
		json_decref(all);
		return NULL;
	}
	while (fgets(line, sizeof(line), fp)) {
		json_t *ev = json_loads(line, 0, NULL);

		if (!ev || json_array_append_new(all, ev)) {
			json_decref(all);
			all = NULL;
			break;
		}
	}
	fclose(fp);
	return all;
}

static const char *jtype(json_t *ev)
{
	return json_string_value(json_object_get(ev, "type"));
}

static uint32_t exec_tgid(const char *exe_path)
{
	char exe[4096];
	const struct log_event *e;

	if (!realpath(exe_path, exe))
		return 0;
	e = find_exec(&lf, exe);
	return e ? e->tgid : 0;
}

static size_t count_tgid(uint32_t tgid)
{
	size_t n = 0;

	for (size_t i = 0; i < lf.nevents; i++)
		n += lf.events[i].tgid == tgid;
	return n;
}

static int pid_shows_all_and_only_its_events(void)
{
	uint32_t cat;
	char pid[16];
	json_t *evs;
	size_t i;
	json_t *ev;
	int rc = make_log();

	if (rc)
		return rc;
	cat = exec_tgid("/usr/bin/cat");
	CHECK(cat, "no exec of cat in the log");
	snprintf(pid, sizeof(pid), "%" PRIu32, cat);
	CHECK(show((const char *[]){ "--pid", pid, "--json", NULL }) == 0, "show --pid failed");
	evs = shown_events();
	CHECK(evs, "show --pid --json: not JSON Lines");
	json_array_foreach(evs, i, ev)
		CHECK(json_integer_value(json_object_get(ev, "tgid")) == cat, "event of another process shown");
	CHECK(json_array_size(evs) == count_tgid(cat), "--pid %s showed %zu of its %zu events", pid,
	      json_array_size(evs), count_tgid(cat));
	json_decref(evs);
	/* text output too, one line per event */
	CHECK(show((const char *[]){ "--pid", pid, NULL }) == 0, "show --pid failed");
	CHECK(file_lines(out_path) == count_tgid(cat), "text --pid: %zu lines", file_lines(out_path));
	return TEST_PASS;
}

static int pid_list_and_repeat_add_up(void)
{
	char list[40], root[16];
	uint32_t cat;
	size_t want;
	int rc = make_log();

	if (rc)
		return rc;
	cat = exec_tgid("/usr/bin/cat");
	CHECK(cat && cat != lf.header.root_pid, "no cat process");
	want = count_tgid(cat) + count_tgid(lf.header.root_pid);
	snprintf(list, sizeof(list), "%" PRIu32 ",%" PRIu32, cat, lf.header.root_pid);
	snprintf(root, sizeof(root), "%" PRIu32, lf.header.root_pid);
	CHECK(show((const char *[]){ "--pid", list, NULL }) == 0, "show --pid LIST failed");
	CHECK(file_lines(out_path) == want, "--pid %s: %zu lines, want %zu", list, file_lines(out_path), want);
	snprintf(list, sizeof(list), "%" PRIu32, cat);
	CHECK(show((const char *[]){ "--pid", list, "--pid", root, NULL }) == 0, "show --pid --pid failed");
	CHECK(file_lines(out_path) == want, "--pid twice: %zu lines, want %zu", file_lines(out_path), want);
	return TEST_PASS;
}

static size_t count_type(enum log_event_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < lf.nevents; i++)
		n += lf.events[i].type == t;
	return n;
}

static int type_open_shows_only_opens(void)
{
	json_t *evs, *ev;
	size_t i, execs = 0, exits = 0;
	int rc = make_log();

	if (rc)
		return rc;
	CHECK(show((const char *[]){ "--type", "open", "--json", NULL }) == 0, "show --type open failed");
	evs = shown_events();
	CHECK(evs, "not JSON Lines");
	json_array_foreach(evs, i, ev)
		CHECK(!strcmp(jtype(ev), "open"), "--type open showed a %s event", jtype(ev));
	CHECK(json_array_size(evs) == count_type(LOG_EV_OPEN) && count_type(LOG_EV_OPEN) > 0,
	      "--type open: %zu of %zu opens", json_array_size(evs), count_type(LOG_EV_OPEN));
	json_decref(evs);

	CHECK(show((const char *[]){ "--type", "exec,exit", "--json", NULL }) == 0, "show --type exec,exit failed");
	evs = shown_events();
	CHECK(evs, "not JSON Lines");
	json_array_foreach(evs, i, ev) {
		execs += !strcmp(jtype(ev), "exec");
		exits += !strcmp(jtype(ev), "exit");
	}
	CHECK(execs == count_type(LOG_EV_EXEC) && exits == count_type(LOG_EV_EXIT) &&
	      json_array_size(evs) == execs + exits, "--type exec,exit: %zu execs %zu exits of %zu lines",
	      execs, exits, json_array_size(evs));
	json_decref(evs);
	return TEST_PASS;
}

/* Events naming /etc/hostname: the open by cat (and any other process that opened it). */
static int path_glob_full_and_basename(void)
{
	json_t *evs, *ev;
	size_t i, want;
	int rc = make_log();

	if (rc)
		return rc;
	want = count_opens(&lf, "/etc/hostname", 0);
	CHECK(want >= 1, "the log has no open of /etc/hostname");
	static const char *const globs[] = { "/etc/hostname", "/etc/host*me", "hostname", "h?stname" };
	for (size_t g = 0; g < sizeof(globs) / sizeof(globs[0]); g++) {
		CHECK(show((const char *[]){ "--path", globs[g], "--json", NULL }) == 0, "show --path failed");
		evs = shown_events();
		CHECK(evs, "not JSON Lines");
		json_array_foreach(evs, i, ev)
			CHECK(!strcmp(jtype(ev), "open") &&
			      !strcmp(json_string_value(json_object_get(ev, "path")), "/etc/hostname"),
			      "--path %s showed a %s event not naming /etc/hostname", globs[g], jtype(ev));
		CHECK(json_array_size(evs) == want, "--path %s: %zu events, want %zu", globs[g],
		      json_array_size(evs), want);
		json_decref(evs);
	}
	/* with a '/', the glob is on the whole path: this matches nothing */
	CHECK(show((const char *[]){ "--path", "etc/hostname", NULL }) == 0, "show --path failed");
	CHECK(file_lines(out_path) == 0, "--path etc/hostname (relative) matched %zu events", file_lines(out_path));
	/* an exec is found by its executable */
	CHECK(show((const char *[]){ "--path", "cat", "--type", "exec", NULL }) == 0, "show --path cat failed");
	CHECK(file_lines(out_path) == 2, "--path cat --type exec: %zu lines, want the 2 execs of cat",
	      file_lines(out_path));
	return TEST_PASS;
}

static int64_t rel_ns(const struct log_event *e)
{
	return (int64_t)(e->ts_ns - lf.header.start_boot_ns);
}

/* Events of the log with SINCE <= relative time <= UNTIL. */
static size_t count_between(int64_t since, int64_t until)
{
	size_t n = 0;

	for (size_t i = 0; i < lf.nevents; i++)
		n += rel_ns(&lf.events[i]) >= since && rel_ns(&lf.events[i]) <= until;
	return n;
}

static int since_until_bound_timestamps(void)
{
	const struct log_event *sleep_exit;
	char since[32], until[32];
	json_t *evs, *ev;
	size_t i, want;
	int64_t lo, hi;
	int rc = make_log();

	if (rc)
		return rc;
	sleep_exit = find_exit(&lf, exec_tgid("/usr/bin/sleep"));
	CHECK(sleep_exit, "no exit of sleep");
	/* from 0.1 s (cat of hostname done, sleep running) to just after sleep ended */
	lo = 100000000;
	hi = rel_ns(sleep_exit) + 1000;
	snprintf(since, sizeof(since), "0.1");
	snprintf(until, sizeof(until), "%" PRId64 ".%06" PRId64, hi / 1000000000, hi % 1000000000 / 1000);
	hi = hi / 1000 * 1000;
	want = count_between(lo, hi);
	CHECK(want >= 1 && want < lf.nevents, "the bounds do not split the log (%zu of %zu)", want, lf.nevents);
	CHECK(show((const char *[]){ "--since", since, "--until", until, "--json", NULL }) == 0,
	      "show --since --until failed");
	evs = shown_events();
	CHECK(evs, "not JSON Lines");
	json_array_foreach(evs, i, ev) {
		int64_t t = json_integer_value(json_object_get(ev, "ts_ns")) - (int64_t)lf.header.start_boot_ns;

		CHECK(t >= lo && t <= hi, "event at %" PRId64 " ns outside [%s, %s]", t, since, until);
	}
	CHECK(json_array_size(evs) == want, "--since %s --until %s: %zu events, want %zu", since, until,
	      json_array_size(evs), want);
	json_decref(evs);
	CHECK(show((const char *[]){ "--since", since, NULL }) == 0, "show --since failed");
	CHECK(file_lines(out_path) == count_between(lo, INT64_MAX), "--since alone: %zu lines", file_lines(out_path));
	CHECK(show((const char *[]){ "--until", until, NULL }) == 0, "show --until failed");
	CHECK(file_lines(out_path) == count_between(INT64_MIN, hi), "--until alone: %zu lines", file_lines(out_path));
	return TEST_PASS;
}

/* The same bound as a wall-clock time: the header's start_wall_ns plus the offset. */
static int since_as_rfc3339_time(void)
{
	char since[64], date[32];
	int64_t lo = 100000000, wall;
	time_t secs;
	struct tm tm;
	int rc = make_log();

	if (rc)
		return rc;
	wall = (int64_t)lf.header.start_wall_ns + lo;
	secs = (time_t)(wall / 1000000000);
	CHECK(gmtime_r(&secs, &tm) && strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm), "gmtime");
	snprintf(since, sizeof(since), "%s.%09" PRId64 "Z", date, wall % 1000000000);
	CHECK(show((const char *[]){ "--since", since, NULL }) == 0, "show --since %s failed", since);
	CHECK(file_lines(out_path) == count_between(lo, INT64_MAX), "--since %s: %zu lines, want %zu", since,
	      file_lines(out_path), count_between(lo, INT64_MAX));
	return TEST_PASS;
}

/* Opens by TGID of a path under /etc/. */
static size_t count_etc_opens(uint32_t tgid)
{
	size_t n = 0;

	for (size_t i = 0; i < lf.nevents; i++) {
		const struct log_event *e = &lf.events[i];

		n += e->type == LOG_EV_OPEN && e->tgid == tgid && !strncmp(e->open.path, "/etc/", 5);
	}
	return n;
}

static int filters_combine_as_and(void)
{
	uint32_t cat;
	char pid[16];
	json_t *evs, *ev;
	size_t i;
	int rc = make_log();

	if (rc)
		return rc;
	cat = exec_tgid("/usr/bin/cat");
	snprintf(pid, sizeof(pid), "%" PRIu32, cat);
	CHECK(show((const char *[]){ "--pid", pid, "--type", "open", "--path", "/etc/*", "--until", "100",
				    "--json", NULL }) == 0, "combined filters failed");
	evs = shown_events();
	CHECK(evs, "not JSON Lines");
	json_array_foreach(evs, i, ev)
		CHECK(!strcmp(jtype(ev), "open") && json_integer_value(json_object_get(ev, "tgid")) == cat &&
		      !strncmp(json_string_value(json_object_get(ev, "path")), "/etc/", 5),
		      "combined filters let through a %s event", jtype(ev));
	CHECK(json_array_size(evs) == count_etc_opens(cat),
	      "--pid %s --type open --path '/etc/*': %zu events", pid, json_array_size(evs));
	CHECK(json_array_size(evs) >= 1, "no event passed");
	json_decref(evs);
	/* a filter that nothing passes empties the output, it is not an error */
	CHECK(show((const char *[]){ "--pid", pid, "--type", "fork", NULL }) == 0, "empty result failed");
	CHECK(file_lines(out_path) == 0, "cat forks nothing, yet %zu lines", file_lines(out_path));
	return TEST_PASS;
}

static int bad_values_exit_125_naming_the_option(void)
{
	static const struct { const char *opt, *value; } bad[] = {
		{ "--pid", "abc" }, { "--pid", "0" }, { "--pid", "1,,2" }, { "--pid", "99999999999" },
		{ "--pid", "" }, { "--type", "opn" }, { "--type", "open," }, { "--path", "" },
		{ "--since", "yesterday" }, { "--since", "1.5s" }, { "--until", "2026-02-30T00:00:00Z" },
		{ "--until", "2026-01-01T00:00:00+02:00" }, { "--since", "1e3" }, { "--until", "." },
	};
	int rc = make_log();

	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(show((const char *[]){ bad[i].opt, bad[i].value, NULL }) == KETTLE_EXIT_OWN_ERROR,
		      "%s '%s': want exit 125", bad[i].opt, bad[i].value);
		CHECK(file_lines(err_path) == 1 && file_holds(err_path, bad[i].opt),
		      "%s '%s': want one line on stderr naming the option", bad[i].opt, bad[i].value);
		CHECK(file_lines(out_path) == 0, "%s '%s': printed events", bad[i].opt, bad[i].value);
	}
	CHECK(show((const char *[]){ "--json", "--since", NULL }) == KETTLE_EXIT_OWN_ERROR, "--since without a value");
	CHECK(file_holds(err_path, "--since"), "missing value: the option is not named");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "pid_shows_all_and_only_its_events", pid_shows_all_and_only_its_events },
	{ "pid_list_and_repeat_add_up", pid_list_and_repeat_add_up },
	{ "type_open_shows_only_opens", type_open_shows_only_opens },
	{ "path_glob_full_and_basename", path_glob_full_and_basename },
	{ "since_until_bound_timestamps", since_until_bound_timestamps },
	{ "since_as_rfc3339_time", since_as_rfc3339_time },
	{ "filters_combine_as_and", filters_combine_as_and },
	{ "bad_values_exit_125_naming_the_option", bad_values_exit_125_naming_the_option },
};

TEST_MAIN("log_show_filters", tests)
