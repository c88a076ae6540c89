// SPDX-License-Identifier: MIT
/* The git checkout of the build's directory, from the git command (see git_source.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "provenance/git_source.h"

static long long now_ms(void)
{
	return (long long)(clock_ns(CLOCK_MONOTONIC) / NSEC_PER_MSEC);
}

/*
 * Runs `git ARGS...` in DIR; its stdout (at most OUTLEN - 1 bytes, the rest
 * read and dropped) lands in OUT.  Returns git's exit code, or -1 when it
 * could not run or ran past the time limit (it is killed then).
 * No repository-configured program runs: fsmonitor is off, and status takes no locks.
 */
static int git_run(const char *dir, const char *const args[], char *out, size_t outlen)
{
	const char *argv[16] = { "git", "--no-optional-locks", "-c", "core.fsmonitor=false" };
	long long deadline = now_ms() + GIT_SOURCE_TIMEOUT_MS;
	size_t n = 4, len = 0;
	int p[2], status;
	pid_t pid;

	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;
		int null = open("/dev/null", O_RDWR);

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(null, 2) < 0 || chdir(dir))
			_exit(127);
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		long long left = deadline - now_ms();
		char sink[512];
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			if (errno == EINTR && left > 0)
				continue;
			kill(pid, SIGKILL);
			len = SIZE_MAX;
			break;
		}
		if (len + 1 < outlen)
			r = read(p[0], out + len, outlen - 1 - len);
		else
			r = read(p[0], sink, sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (len + 1 < outlen)
			len += r;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (len == SIZE_MAX)
		return -1;
	out[len] = '\0';
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void git_url_strip_credentials(const char *url, char *out, size_t outlen)
{
	const char *scheme = strstr(url, "://"), *host, *at, *end;

	if (!scheme || strcspn(url, "/") < (size_t)(scheme - url)) {
		snprintf(out, outlen, "%s", url);
		return;
	}
	host = scheme + 3;
	end = host + strcspn(host, "/?#");
	at = NULL;
	for (const char *c = host; c < end; c++)
		if (*c == '@')
			at = c;         /* the last '@' ends the userinfo */
	if (!at) {
		snprintf(out, outlen, "%s", url);
		return;
	}
	snprintf(out, outlen, "%.*s%s", (int)(host - url), url, at + 1);
}

static bool is_hex_name(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return (n == 40 || n == 64) && !s[n];
}

int git_source_read(const char *dir, struct git_source *src, char *err, size_t errlen)
{
	static const char *const revs[] = { "rev-parse", "--is-inside-work-tree", "--show-toplevel",
					    "HEAD", "HEAD^{tree}", NULL };
	static const char *const origin[] = { "config", "--get", "remote.origin.url", NULL };
	static const char *const status[] = { "status", "--porcelain=v1", "--untracked-files=normal", NULL };
	char out[4096], top[2040], *line[4], *save = NULL;
	int rc;

	memset(src, 0, sizeof(*src));
	rc = git_run(dir, revs, out, sizeof(out));
	if (rc < 0) {
		snprintf(err, errlen, "git rev-parse did not finish within %d ms", GIT_SOURCE_TIMEOUT_MS);
		return -1;
	}
	if (rc != 0)
		return 0;       /* not a work tree, no commit yet, or no git (127) */
	for (int i = 0; i < 4; i++)
		line[i] = strtok_r(i ? NULL : out, "\n", &save);
	if (!line[3] || strcmp(line[0], "true") || !is_hex_name(line[2]) || !is_hex_name(line[3])) {
		snprintf(err, errlen, "git rev-parse gave unexpected output");
		return -1;
	}
	snprintf(top, sizeof(top), "%s", line[1]);
	snprintf(src->commit, sizeof(src->commit), "%s", line[2]);
	snprintf(src->tree, sizeof(src->tree), "%s", line[3]);
	rc = git_run(dir, origin, out, sizeof(out));
	if (rc == 0 && out[0]) {
		out[strcspn(out, "\n")] = '\0';
		git_url_strip_credentials(out, src->url, sizeof(src->url));
	} else {
		snprintf(src->url, sizeof(src->url), "file://%s", top);
	}
	rc = git_run(dir, status, out, sizeof(out));
	if (rc != 0) {
		snprintf(err, errlen, "git status %s", rc < 0 ? "did not finish in time" : "failed");
		return -1;
	}
	src->dirty = out[0] != '\0';
	return 1;
}
