// SPDX-License-Identifier: MIT
/*
 * kettle index serve: the fleet index as a read-only local web page
 * (docs/index.md).  One connection at a time, each with a deadline: an
 * investigator's browser is the client, not the Internet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/file_bytes.h"
#include "forensics/index_http.h"
#include "forensics/index_ingest.h"
#include "forensics/index_page.h"
#include "forensics/index_search.h"

#define SERVE_DEFAULT_LISTEN "127.0.0.1:8470"
#define REQUEST_DEADLINE_MS 5000
#define REPORT_MAX (512u << 20)
#define DRAIN_MS 200
#define DRAIN_MAX (256u << 10)

static const char serve_help[] =
	"Usage: kettle index serve [--db DB] [--listen ADDR:PORT] [--reports DIR] [--allow-remote]\n\n"
	"The fleet index as a read-only web page for a browser on this machine: a search form\n"
	"(digest, path glob, endpoint, executions only, since/until, downstream), the matching\n"
	"builds with role, path, process chain, time and attestation verdict, each build\n"
	"linked to its HTML report (kettle report).  GET /api/search?digest=... answers with\n"
	"the JSON of kettle search --json.  The store is opened read-only.\n\n"
	"  --db DB            as kettle index add (default: the user's index.db)\n"
	"  --listen ADDR:PORT a numeric address (default " SERVE_DEFAULT_LISTEN "; [::1]:PORT for IPv6)\n"
	"  --allow-remote     listen on an address that is not loopback: anyone who reaches it\n"
	"                     reads the index (there is no login)\n"
	"  --reports DIR      a build's report is DIR/LOG_SHA256.html when that file exists; else\n"
	"                     it is made on demand from the log at the path it was indexed from,\n"
	"                     when that file is still the log indexed\n"
	"Ctrl-C or SIGTERM stops it.  Exit status: 0 stopped by a signal, 125 a usage error,\n"
	"an address that cannot be listened on, or a store that cannot be opened.\n";

struct serve {
	struct index_db *db;
	const char *reports_dir;
	char cache[64];                 /* reports made on demand, removed at exit */
	bool loopback;
	struct index_http_request req;
	char buf[INDEX_HTTP_REQUEST_MAX];
};

/* An answer: its status, type, policy and malloc'd body (NULL: nothing could be made). */
struct reply {
	int status;
	const char *type, *csp;
	char *body;
	size_t len;
};

static void reply_text(struct reply *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void reply_text(struct reply *r, int status, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&r->body, fmt, ap);
	va_end(ap);
	r->status = status;
	r->type = "text/plain; charset=utf-8";
	r->csp = "default-src 'none'";
	r->len = n < 0 ? 0 : (size_t)n;
	if (n < 0)
		r->body = NULL;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;         /* the client went away: nothing to tell it */
		p += w;
		n -= (size_t)w;
	}
}

static void send_reply(int fd, struct reply *r)
{
	char head[1024];
	size_t n = index_http_head(head, sizeof(head), r->status, r->type, r->body ? r->len : 0, r->csp);

	if (n)
		send_all(fd, head, n);
	if (n && r->body)
		send_all(fd, r->body, r->len);
	free(r->body);
	r->body = NULL;
}

/* ---- the answers ---- */

static void page_reply(struct reply *r, int status, const struct index_page_form *f, const json_t *answer,
		       const char *error)
{
	FILE *out = open_memstream(&r->body, &r->len);

	r->status = status;
	r->type = "text/html; charset=utf-8";
	r->csp = INDEX_PAGE_CSP;
	if (!out || index_page_write(out, f, answer, error) || fclose(out)) {
		if (out)
			fclose(out);
		free(r->body);
		r->body = NULL;
		reply_text(r, 500, "cannot write the page\n");
	}
}

static void search_page(struct serve *s, struct reply *r)
{
	struct index_page_form f;
	struct index_search q;
	char err[1024];
	json_t *answer;
	int got = index_page_query(&s->req, &f, &q, err, sizeof(err));

	if (got) {
		page_reply(r, got < 0 ? 400 : 200, &f, NULL, got < 0 ? err : NULL);
		return;
	}
	answer = index_search_run(s->db, &q, err, sizeof(err));
	page_reply(r, answer ? 200 : 500, &f, answer, answer ? NULL : err);
	json_decref(answer);
}

static void json_reply(struct reply *r, int status, json_t *o)
{
	r->status = status;
	r->type = "application/json";
	r->csp = "default-src 'none'";
	r->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!r->body) {
		reply_text(r, 500, "out of memory\n");
		return;
	}
	r->len = strlen(r->body);
}

static void search_api(struct serve *s, struct reply *r)
{
	struct index_page_form f;
	struct index_search q;
	char err[1024];
	json_t *answer;
	int got = index_page_query(&s->req, &f, &q, err, sizeof(err));

	/* the empty form: index_search_check says what is missing */
	if (got > 0)
		index_search_check(&q, err, sizeof(err));
	if (got) {
		json_reply(r, 400, json_pack("{s:s}", "error", err));
		return;
	}
	answer = index_search_run(s->db, &q, err, sizeof(err));
	json_reply(r, answer ? 200 : 500, answer ? answer : json_pack("{s:s}", "error", err));
}

/* Runs `kettle report LOG -o OUT` (this very binary); 0 when it wrote OUT. */
static int make_report(const char *log, const char *out, char *err, size_t errlen)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(err, errlen, "cannot start kettle report: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char *dashed = NULL;
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "r", stdin))
			_exit(125);
		/* a log named "-x" is a file, not an option */
		if (log[0] == '-' && asprintf(&dashed, "./%s", log) < 0)
			_exit(125);
		execl("/proc/self/exe", "kettle", "report", dashed ? dashed : log, "-o", out, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "kettle report: %s", strerror(errno));
			return -1;
		}
	/* 1: a subject did not match, and the page says so */
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1 || access(out, R_OK)) {
		snprintf(err, errlen, "kettle report failed (status %d)",
			 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -1;
	}
	return 0;
}

static void file_reply(struct reply *r, const char *path)
{
	uint8_t *bytes;
	char why[512];

	if (file_read_bounded(path, REPORT_MAX, &bytes, &r->len, why, sizeof(why))) {
		reply_text(r, 500, "%s\n", why);
		return;
	}
	r->status = 200;
	r->type = "text/html; charset=utf-8";
	r->csp = NULL;          /* the report carries its own policy */
	r->body = (char *)bytes;
}

static void report(struct serve *s, struct reply *r)
{
	const char *idtext = index_http_param(&s->req, "build");
	struct index_build_log b;
	char path[4200], err[1024], *end;
	long long id;
	int got;

	errno = 0;
	id = idtext ? strtoll(idtext, &end, 10) : 0;
	if (!idtext || !*idtext || *end || errno || id < 1 || s->req.nparams != 1) {
		reply_text(r, 400, "expected /report?build=ID\n");
		return;
	}
	got = index_build_log(s->db, id, &b, err, sizeof(err));
	if (got) {
		if (got > 0)
			reply_text(r, 404, "no build %lld in the index\n", id);
		else
			reply_text(r, 500, "%s\n", err);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.html", s->reports_dir ? s->reports_dir : "", b.sha256);
	if (s->reports_dir && !access(path, R_OK)) {
		file_reply(r, path);
		return;
	}
	if (index_log_unchanged(b.path, b.sha256, err, sizeof(err))) {
		reply_text(r, 404, "build %lld: no report: %s (give --reports DIR with %s.html)\n", id, err, b.sha256);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.html", s->cache, b.sha256);
	if (access(path, R_OK) && make_report(b.path, path, err, sizeof(err))) {
		reply_text(r, 500, "build %lld: %s\n", id, err);
		return;
	}
	file_reply(r, path);
}

static void answer(struct serve *s, int fd)
{
	struct reply r = { 0 };

	if (s->loopback && !index_http_host_is_loopback(s->req.host))
		reply_text(&r, 421, "the Host header must name this machine's loopback (localhost, 127.0.0.1, [::1])\n");
	else if (!strcmp(s->req.path, "/"))
		search_page(s, &r);
	else if (!strcmp(s->req.path, "/api/search"))
		search_api(s, &r);
	else if (!strcmp(s->req.path, "/report"))
		report(s, &r);
	else
		reply_text(&r, 404, "not found\n");
	send_reply(fd, &r);
}

/*
 * After an error answer to a request not read whole: closing with unread
 * bytes would reset the connection and could destroy the answer before the
 * client reads it, so the rest is read and dropped for a moment first.
 */
static void drain(int fd)
{
	char sink[4096];
	size_t total = 0;

	if (shutdown(fd, SHUT_WR))
		return;
	while (total < DRAIN_MAX) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, DRAIN_MS) <= 0)
			return;
		n = recv(fd, sink, sizeof(sink), 0);
		if (n <= 0)
			return;
		total += (size_t)n;
	}
}

/* Reads one request within the deadline and answers it. */
static void serve_connection(struct serve *s, int fd)
{
	uint64_t deadline = clock_ns(CLOCK_MONOTONIC) + (uint64_t)REQUEST_DEADLINE_MS * 1000000u;
	size_t len = 0;
	struct reply r = { 0 };
	char err[256];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = clock_ns(CLOCK_MONOTONIC);
		enum index_http_state st;
		ssize_t n;

		if (now >= deadline || poll(&p, 1, (int)((deadline - now) / 1000000u) + 1) == 0) {
			reply_text(&r, 408, "the request did not come within %d s\n", REQUEST_DEADLINE_MS / 1000);
			break;
		}
		n = recv(fd, s->buf + len, sizeof(s->buf) - len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (len)
				reply_text(&r, 400, "the request was cut short\n");
			break;
		}
		len += (size_t)n;
		st = index_http_parse(s->buf, len, &s->req, err, sizeof(err));
		if (st == INDEX_HTTP_DONE) {
			answer(s, fd);
			return;
		}
		if (st == INDEX_HTTP_BAD) {
			reply_text(&r, s->req.status, "bad request: %s\n", err);
			break;
		}
	}
	if (!r.body)
		return;
	send_reply(fd, &r);
	drain(fd);
}

/* ---- the socket ---- */

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	return sa->sa_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

/* The listening socket on LISTEN ("ADDR:PORT"), or -1 after saying why. */
static int open_listener(const char *listen_at, bool allow_remote, bool *loopback)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM }, *ai;
	char host[INDEX_HOST_MAX], port[24], err[256];
	long portnum;
	int fd, one = 1, r;

	if (index_endpoint_parse(listen_at, host, &portnum, err, sizeof(err)) || portnum < 0) {
		cli_err("index serve", "--listen '%s': expected ADDR:PORT (127.0.0.1:8470, [::1]:8470)%s%s", listen_at,
			portnum < 0 ? "" : ": ", portnum < 0 ? "" : err);
		return -1;
	}
	snprintf(port, sizeof(port), "%ld", portnum);
	r = getaddrinfo(host, port, &hints, &ai);
	if (r) {
		cli_err("index serve", "--listen '%s': not a numeric address: %s", listen_at, gai_strerror(r));
		return -1;
	}
	*loopback = is_loopback(ai->ai_addr);
	if (!*loopback && !allow_remote) {
		cli_err("index serve", "--listen '%s': not a loopback address; the index has no login, so "
			"--allow-remote must say you mean it", listen_at);
		freeaddrinfo(ai);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16)) {
		cli_err("index serve", "--listen '%s': %s", listen_at, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static void remove_cache(const char *dir)
{
	char cmd[128];

	if (!dir[0])
		return;
	/* the folder is ours (mkdtemp) and holds only LOG_SHA256.html files */
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd))
		cli_err("index serve", "cannot remove %s", dir);
}

/* Until SIGINT or SIGTERM: accept, answer, close. */
static int serve_loop(struct serve *s, int lfd)
{
	sigset_t stop;
	int sfd;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) || (sfd = signalfd(-1, &stop, SFD_CLOEXEC)) < 0) {
		cli_err("index serve", "cannot take SIGINT/SIGTERM: %s", strerror(errno));
		return KETTLE_EXIT_OWN_ERROR;
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = lfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		int c;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			cli_err("index serve", "poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;       /* the client gave up before we took it, or fds ran out for a moment */
		serve_connection(s, c);
		close(c);
	}
	close(sfd);
	fprintf(stderr, "kettle index serve: stopped\n");
	return 0;
}

int index_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "reports", required_argument, NULL, 'r' },
		{ "allow-remote", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *location = NULL, *listen_at = SERVE_DEFAULT_LISTEN;
	struct serve *s = calloc(1, sizeof(*s));
	bool allow_remote = false;
	char err[1024];
	int opt, lfd, rc;
	struct stat st;

	if (!s) {
		cli_err("index serve", "out of memory");
		return KETTLE_EXIT_OWN_ERROR;
	}
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': location = optarg; break;
		case 'l': listen_at = optarg; break;
		case 'r': s->reports_dir = optarg; break;
		case 'a': allow_remote = true; break;
		case 'h': fputs(serve_help, stdout); free(s); return 0;
		default:
			cli_err("index serve", "unknown option (kettle index serve --help)");
			free(s);
			return KETTLE_EXIT_OWN_ERROR;
		}
	}
	if (optind != argc || (s->reports_dir && (stat(s->reports_dir, &st) || !S_ISDIR(st.st_mode)))) {
		if (optind != argc)
			cli_err("index serve", "unexpected argument '%s' (kettle index serve --help)", argv[optind]);
		else
			cli_err("index serve", "--reports %s: not a folder", s->reports_dir);
		free(s);
		return KETTLE_EXIT_OWN_ERROR;
	}
	s->db = index_open_readonly(location, err, sizeof(err));
	if (!s->db) {
		cli_err("index serve", "%s", err);
		free(s);
		return KETTLE_EXIT_OWN_ERROR;
	}
	lfd = open_listener(listen_at, allow_remote, &s->loopback);
	snprintf(s->cache, sizeof(s->cache), "%s/kettle-serve-XXXXXX", "/tmp");
	if (lfd >= 0 && !mkdtemp(s->cache)) {
		cli_err("index serve", "cannot make a folder for reports in /tmp: %s", strerror(errno));
		s->cache[0] = '\0';
		close(lfd);
		lfd = -1;
	}
	rc = KETTLE_EXIT_OWN_ERROR;
	if (lfd >= 0) {
		fprintf(stderr, "kettle index serve: %s read-only on http://%s/ (Ctrl-C stops)\n", s->db->where,
			listen_at);
		rc = serve_loop(s, lfd);
		close(lfd);
		remove_cache(s->cache);
	}
	index_close(s->db);
	free(s);
	return rc;
}
