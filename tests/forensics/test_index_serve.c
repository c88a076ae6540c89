// SPDX-License-Identifier: MIT
/*
 * kettle index serve as an investigator uses it: builds indexed with kettle
 * index add, the server started on a free loopback port, the page loaded in
 * headless Chromium (tests/browser/dump_dom) with a query: the results table
 * names the expected builds and roles, a build's report link opens its
 * report, a path holding <script> is shown as text, garbage gets a 400 and
 * the server answers afterwards, SIGTERM stops it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "index_builds.h"
#include "testlib.h"

#define EVIL_PATH "/src/<script>document.title='pwned'</script>.c"

static char dir[] = "/tmp/kettle-test-serve-XXXXXX";
static char base[128];          /* http://127.0.0.1:PORT */
static int port;
static pid_t server = -1;

static const char *kettle_path(char *out, size_t outlen)
{
	const char *build = test_build_dir();

	snprintf(out, outlen, "%s%s%s/kettle", build[0] == '/' ? "" : KETTLE_SOURCE_DIR, build[0] == '/' ? "" : "/",
		 build);
	return out;
}

/* `kettle ARGS` run in DIR with stdout and stderr into DIR/cli.out and DIR/cli.err; its exit status, or -1. */
static int kettle_cli(const char *args)
{
	char cmd[2048], k[512];
	int st;

	snprintf(cmd, sizeof(cmd), "cd %s && %s %s >cli.out 2>cli.err", dir, kettle_path(k, sizeof(k)), args);
	st = system(cmd);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* DIR/NAME whole, NUL-terminated (malloc'd), or NULL. */
static char *slurp(const char *name)
{
	char path[400];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) || !(buf = malloc((size_t)n + 1))) {
		fclose(f);
		return NULL;
	}
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

/* Sends RAW to the server and reads its whole answer into OUT; the answer's length, or -1. */
static ssize_t http_raw(const char *raw, size_t rawlen, char *out, size_t outlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 30 };
	size_t len = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || send(fd, raw, rawlen, MSG_NOSIGNAL) != (ssize_t)rawlen) {
		close(fd);
		return -1;
	}
	while (len + 1 < outlen && (n = recv(fd, out + len, outlen - 1 - len, 0)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fd);
	return (ssize_t)len;
}

static ssize_t http_get(const char *target, char *out, size_t outlen)
{
	char req[2048];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", target, port);

	return http_raw(req, (size_t)n, out, outlen);
}

static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p = -1;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)) && !getsockname(fd, (struct sockaddr *)&sa, &len))
		p = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return p;
}

static int t_builds_are_indexed(void)
{
	static const struct step a[] = { { "/usr/bin/cc", "/src/s.c", "/out/x.o", 0x11, 0x21 } };
	static const struct step b[] = { { "/usr/bin/ld", "/out/x.o", "/out/y", 0x21, 0x22 } };
	static const struct step c[] = { { "/usr/bin/tar", "/out/y", "/out/z.tar", 0x22, 0x23 } };
	static const struct step e[] = { { "/usr/bin/cc", EVIL_PATH, "/out/e.o", 0x41, 0x42 } };
	char p[300];

	CHECK(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(p, sizeof(p), "%s/a.cbor", dir);
	CHECK(write_build(p, START_WALL, a, 1) == TEST_PASS, "a");
	snprintf(p, sizeof(p), "%s/b.cbor", dir);
	CHECK(write_build(p, START_WALL + HOUR_NS, b, 1) == TEST_PASS, "b");
	snprintf(p, sizeof(p), "%s/c.cbor", dir);
	CHECK(write_build(p, START_WALL + 2 * HOUR_NS, c, 1) == TEST_PASS, "c");
	snprintf(p, sizeof(p), "%s/e.cbor", dir);
	CHECK(write_build(p, START_WALL + 3 * HOUR_NS, e, 1) == TEST_PASS, "e");
	/* absolute paths: the server makes reports from the logs where they were indexed */
	snprintf(p, sizeof(p), "index add --db index.db %s/a.cbor %s/b.cbor %s/c.cbor %s/e.cbor", dir, dir, dir, dir);
	CHECK(kettle_cli(p) == 0, "index add");
	return TEST_PASS;
}

static int t_server_refuses_bad_setups(void)
{
	struct stat st;
	char none[400];

	CHECK(kettle_cli("index serve --db index.db --listen 0.0.0.0:8470") == 125, "non-loopback");
	{
		char *e = slurp("cli.err");
		bool ok = e && strstr(e, "not a loopback address") && strstr(e, "--allow-remote");

		free(e);
		CHECK(ok, "says why");
	}
	CHECK(kettle_cli("index serve --db index.db --listen localhost:8470") == 125, "a name, not an address");
	CHECK(kettle_cli("index serve --db index.db --listen 127.0.0.1") == 125, "no port");
	/* read-only: a store that is not there is not created */
	CHECK(kettle_cli("index serve --db none.db --listen 127.0.0.1:8470") == 125, "no store");
	snprintf(none, sizeof(none), "%s/none.db", dir);
	CHECK(stat(none, &st) != 0, "none.db was made");
	return TEST_PASS;
}

/* `kettle index serve` on a free port (with --reports REPORTS when not NULL), answering once this returns. */
static int start_server(const char *reports)
{
	char k[512], db[400], listen_at[64], err[400], buf[256];

	port = free_port();
	CHECK(port > 0, "free port");
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	snprintf(db, sizeof(db), "%s/index.db", dir);
	snprintf(listen_at, sizeof(listen_at), "127.0.0.1:%d", port);
	snprintf(err, sizeof(err), "%s/serve.err", dir);
	kettle_path(k, sizeof(k));
	server = fork();
	CHECK(server >= 0, "fork");
	if (server == 0) {
		if (!freopen(err, "w", stderr) || chdir("/"))
			_exit(126);
		execl(k, "kettle", "index", "serve", "--db", db, "--listen", listen_at, reports ? "--reports" : NULL,
		      reports, (char *)NULL);
		_exit(127);
	}
	buf[0] = '\0';
	for (int i = 0; i < 100; i++) {
		struct timespec ts = { .tv_nsec = 50000000 };

		if (http_get("/", buf, sizeof(buf)) > 0)
			break;
		nanosleep(&ts, NULL);
	}
	CHECK(!strncmp(buf, "HTTP/1.1 200 OK\r\n", 17), "the server answers: %.80s", buf);
	return TEST_PASS;
}

static int t_server_starts(void)
{
	return start_server(NULL);
}

/* The DOM of TARGET as headless Chromium built it, into DIR/NAME.dom; 0, TEST_SKIP or TEST_FAIL. */
static int browse(const char *target, const char *name)
{
	char cmd[2048];
	int st;

	snprintf(cmd, sizeof(cmd), "%s/tests/browser/dump_dom '%s%s' '%s/%s'", KETTLE_SOURCE_DIR, base, target, dir,
		 name);
	st = system(cmd);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		return test_skip("chromium is not installed");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "dump_dom %s: %d", target, st);
	return TEST_PASS;
}

/* Whether DOM has a row of table TABLE with build ID and ROLE (a row is <tr>...</tr>). */
static bool has_row(const char *dom, const char *table, int id, const char *role)
{
	char link[64], cell[64];
	const char *t = strstr(dom, table), *end = t ? strstr(t, "</table>") : NULL;

	snprintf(link, sizeof(link), "<a href=\"/report?build=%d\">build %d</a>", id, id);
	snprintf(cell, sizeof(cell), "<td class=\"role\">%s</td>", role);
	for (const char *r = t; r && end && (r = strstr(r, "<tr>")) && r < end; r++) {
		const char *rend = strstr(r, "</tr>");
		const char *l = strstr(r, link), *c = strstr(r, cell);

		if (rend && l && c && l < rend && c < rend)
			return true;
	}
	return false;
}

static int t_page_in_chromium_lists_builds_and_roles(void)
{
	char target[256], *dom;
	int r;
	bool ok;

	CHECK(server > 0, "no server");
	/* x.o (digest 2121...): written by build 1, read by build 2; downstream reaches build 3's z.tar */
	snprintf(target, sizeof(target), "/?digest=%s&downstream=on",
		 "2121212121212121212121212121212121212121212121212121212121212121");
	r = browse(target, "search");
	if (r)
		return r;
	dom = slurp("search.dom");
	CHECK(dom, "dom");
	ok = has_row(dom, "<table id=\"matches\">", 1, "wrote") && has_row(dom, "<table id=\"matches\">", 2, "read") &&
	     !strstr(dom, "build=3\">build 3</a></td><td class=\"role\">") &&
	     strstr(dom, "<p id=\"summary\">2 matches</p>") && strstr(dom, "/out/z.tar") &&
	     strstr(dom, "pid 101 /usr/bin/ld /out/x.o") && strstr(dom, "<td class=\"attestation\">none</td>");
	if (!ok)
		fprintf(stderr, "  DOM: %s\n", dom);
	free(dom);
	CHECK(ok, "results table");
	return TEST_PASS;
}

static int t_report_link_opens_the_builds_report(void)
{
	char *dom;
	bool ok;
	int r;

	CHECK(server > 0, "no server");
	r = browse("/report?build=2", "report");
	if (r)
		return r;
	dom = slurp("report.dom");
	CHECK(dom, "dom");
	/* the report of b.cbor: its page title and log name, and ld among its processes */
	ok = strstr(dom, "<title>Kettle build report</title>") && strstr(dom, "b.cbor") && strstr(dom, "/usr/bin/ld");
	if (!ok)
		fprintf(stderr, "  DOM: %.2000s\n", dom);
	free(dom);
	CHECK(ok, "report");
	{
		char buf[2048];

		CHECK(http_get("/report?build=99", buf, sizeof(buf)) > 0 && !strncmp(buf, "HTTP/1.1 404 ", 13) &&
		      strstr(buf, "no build 99"), "%.200s", buf);
		CHECK(http_get("/report?build=x", buf, sizeof(buf)) > 0 && !strncmp(buf, "HTTP/1.1 400 ", 13), "%.200s",
		      buf);
	}
	return TEST_PASS;
}

static int t_a_script_in_a_path_is_text(void)
{
	char *dom;
	bool ok;
	int r;

	CHECK(server > 0, "no server");
	r = browse("/?path=/src/*", "evil");
	if (r)
		return r;
	dom = slurp("evil.dom");
	CHECK(dom, "dom");
	/* no element came from the path: the title is the page's own and the path shows as text */
	ok = strstr(dom, "<title>Kettle fleet index</title>") && !strstr(dom, "pwned'</script>") &&
	     strstr(dom, "/src/&lt;script&gt;document.title='pwned'&lt;/script&gt;.c") && has_row(dom,
	     "<table id=\"matches\">", 4, "read");
	if (!ok)
		fprintf(stderr, "  DOM: %s\n", dom);
	free(dom);
	CHECK(ok, "escaped");
	return TEST_PASS;
}

static int t_json_api_is_kettle_search_json(void)
{
	char buf[65536], *body, *cli;
	bool same;

	CHECK(server > 0, "no server");
	CHECK(http_get("/api/search?digest=2121212121212121212121212121212121212121212121212121212121212121", buf,
		       sizeof(buf)) > 0 && !strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) &&
	      strstr(buf, "Content-Type: application/json\r\n"), "%.300s", buf);
	body = strstr(buf, "\r\n\r\n");
	CHECK(body, "body");
	body += 4;
	CHECK(kettle_cli("search --db index.db --json --digest 2121212121212121212121212121212121212121212121212121212121212121") == 0,
	      "kettle search");
	cli = slurp("cli.out");
	same = cli && strlen(cli) && !strncmp(cli, body, strlen(cli) - 1) && strlen(body) == strlen(cli) - 1;
	if (!same)
		fprintf(stderr, "  api: %s\n  cli: %s", body, cli ? cli : "none");
	free(cli);
	CHECK(same, "same JSON");
	CHECK(http_get("/api/search?digest=12", buf, sizeof(buf)) > 0 && !strncmp(buf, "HTTP/1.1 400 ", 13) &&
	      strstr(buf, "{\"error\":\"digest: "), "%.300s", buf);
	CHECK(http_get("/api/search", buf, sizeof(buf)) > 0 && !strncmp(buf, "HTTP/1.1 400 ", 13) &&
	      strstr(buf, "{\"error\":\"give a digest, a path or an endpoint\"}"), "%.300s", buf);
	return TEST_PASS;
}

static int t_garbage_gets_400_and_the_server_answers_after(void)
{
	static const char *const garbage[] = {
		"garbage\r\n\r\n", "\x16\x03\x01\x02\x05\x01\x01\r\n", "GET /?a=%zz HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"GET / HTTP/1.1\nHost: localhost\n\n",
	};
	char buf[4096], *big;

	CHECK(server > 0, "no server");
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		CHECK(http_raw(garbage[i], strlen(garbage[i]), buf, sizeof(buf)) > 0 &&
		      !strncmp(buf, "HTTP/1.1 400 Bad Request\r\n", 26), "case %zu: %.100s", i, buf);
	/* a request that stops half way: the server waits 5 s for the rest, then answers 408 */
	CHECK(http_raw("GET /?path=", 11, buf, sizeof(buf)) > 0 && !strncmp(buf, "HTTP/1.1 408 ", 13), "%.100s", buf);
	big = malloc(20000);
	CHECK(big, "malloc");
	memset(big, 'a', 20000);
	memcpy(big, "GET /", 5);
	CHECK(http_raw(big, 20000, buf, sizeof(buf)) > 0 && !strncmp(buf, "HTTP/1.1 414 ", 13), "%.100s", buf);
	free(big);
	CHECK(http_raw("PUT / HTTP/1.1\r\n\r\n", 18, buf, sizeof(buf)) > 0 && !strncmp(buf, "HTTP/1.1 405 ", 13),
	      "%.100s", buf);
	/* DNS rebinding: a page whose name points at 127.0.0.1 sends its own name as Host */
	CHECK(http_raw("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n", 39, buf, sizeof(buf)) > 0 &&
	      !strncmp(buf, "HTTP/1.1 421 ", 13), "%.100s", buf);
	CHECK(http_get("/?path=/out/*", buf, sizeof(buf)) > 0 && !strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) &&
	      strstr(buf, "/out/z.tar"), "still answers: %.100s", buf);
	return TEST_PASS;
}

/* SIGTERM to the server: it must exit 0 and say it stopped. */
static int stop_server(void)
{
	int status = 0;
	char *err;
	bool ok;

	CHECK(server > 0, "no server");
	CHECK(kill(server, SIGTERM) == 0, "kill");
	for (int i = 0; i < 100 && waitpid(server, &status, WNOHANG) == 0; i++) {
		struct timespec ts = { .tv_nsec = 50000000 };

		nanosleep(&ts, NULL);
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	server = -1;
	err = slurp("serve.err");
	ok = err && strstr(err, "read-only on http://127.0.0.1:") && strstr(err, "kettle index serve: stopped\n");
	if (!ok)
		fprintf(stderr, "  serve.err: %s\n", err ? err : "none");
	free(err);
	CHECK(ok, "stderr");
	return TEST_PASS;
}

static int t_sigterm_stops_the_server(void)
{
	return stop_server();
}

/* A log moved away after it was indexed: its report comes from --reports DIR, or a 404 says why. */
static int t_moved_logs_report_comes_from_reports_dir(void)
{
	char buf[65536], path[400], from[400], *body;
	json_t *j, *m;
	const char *sha_b = NULL;
	FILE *f;
	size_t i;
	int ret;

	snprintf(path, sizeof(path), "%s/reports", dir);
	CHECK(mkdir(path, 0755) == 0, "mkdir");
	CHECK(start_server(path) == TEST_PASS, "start");
	CHECK(http_get("/api/search?digest=2222222222222222222222222222222222222222222222222222222222222222", buf,
		       sizeof(buf)) > 0 && (body = strstr(buf, "\r\n\r\n")), "search");
	j = json_loads(body + 4, 0, NULL);
	json_array_foreach(json_object_get(j, "matches"), i, m)
		if (json_integer_value(json_object_get(json_object_get(m, "build"), "id")) == 2)
			sha_b = json_string_value(json_object_get(json_object_get(m, "build"), "log_sha256"));
	CHECK(sha_b && strlen(sha_b) == 64, "build 2's log digest");
	snprintf(path, sizeof(path), "%s/reports/%s.html", dir, sha_b);
	json_decref(j);
	f = fopen(path, "w");
	CHECK(f && fputs("<!DOCTYPE html><title>made ahead of time</title>\n", f) >= 0 && fclose(f) == 0, "write");
	snprintf(from, sizeof(from), "%s/a.cbor", dir);
	snprintf(path, sizeof(path), "%s/a-moved.cbor", dir);
	CHECK(rename(from, path) == 0, "move a");
	snprintf(from, sizeof(from), "%s/b.cbor", dir);
	snprintf(path, sizeof(path), "%s/b-moved.cbor", dir);
	CHECK(rename(from, path) == 0, "move b");
	ret = http_get("/report?build=2", buf, sizeof(buf)) > 0 && !strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) &&
	      strstr(buf, "made ahead of time") ? TEST_PASS : TEST_FAIL;
	if (ret)
		fprintf(stderr, "  build 2: %.300s\n", buf);
	if (!ret && (http_get("/report?build=1", buf, sizeof(buf)) <= 0 || strncmp(buf, "HTTP/1.1 404 ", 13) ||
		     !strstr(buf, "a.cbor") || !strstr(buf, "--reports"))) {
		fprintf(stderr, "  build 1: %.300s\n", buf);
		ret = TEST_FAIL;
	}
	CHECK(stop_server() == TEST_PASS, "stop");
	return ret;
}

static int t_cleanup(void)
{
	char cmd[400];

	if (server > 0) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "rm");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "builds_are_indexed", t_builds_are_indexed },
	{ "server_refuses_bad_setups", t_server_refuses_bad_setups },
	{ "server_starts", t_server_starts },
	{ "page_in_chromium_lists_builds_and_roles", t_page_in_chromium_lists_builds_and_roles },
	{ "report_link_opens_the_builds_report", t_report_link_opens_the_builds_report },
	{ "a_script_in_a_path_is_text", t_a_script_in_a_path_is_text },
	{ "json_api_is_kettle_search_json", t_json_api_is_kettle_search_json },
	{ "garbage_gets_400_and_the_server_answers_after", t_garbage_gets_400_and_the_server_answers_after },
	{ "sigterm_stops_the_server", t_sigterm_stops_the_server },
	{ "moved_logs_report_comes_from_reports_dir", t_moved_logs_report_comes_from_reports_dir },
	{ "cleanup", t_cleanup },
};

TEST_MAIN("index_serve", tests)
