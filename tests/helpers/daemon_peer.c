// SPDX-License-Identifier: MIT
/*
 * A daemon and its client, for the daemon tests.
 *   daemon_peer serve unix:PATH|tcp:PORT READYFILE   accepts for ever; each connection sends a
 *                                                   file name, and a child (cat) sends its bytes back
 *   daemon_peer ask unix:PATH|tcp:PORT NAME OUT      asks for NAME, writes the answer to OUT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* A socket address from "unix:PATH" or "tcp:PORT" (127.0.0.1); its length, 0 on a bad spec. */
static socklen_t peer_addr(const char *spec, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (!strncmp(spec, "unix:", 5) && strlen(spec + 5) < sizeof(((struct sockaddr_un *)ss)->sun_path)) {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;

		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, spec + 5);
		return sizeof(*un);
	}
	if (!strncmp(spec, "tcp:", 4)) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(spec + 4));
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*in);
	}
	return 0;
}

static int serve(const char *spec, const char *ready)
{
	struct sockaddr_storage ss;
	socklen_t len = peer_addr(spec, &ss);
	int one = 1, s = len ? socket(ss.ss_family, SOCK_STREAM, 0) : -1;
	FILE *f;

	if (s < 0)
		return 2;
	if (ss.ss_family == AF_UNIX)
		unlink(((struct sockaddr_un *)&ss)->sun_path);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, len) || listen(s, 8))
		return 2;
	signal(SIGCHLD, SIG_IGN);
	f = fopen(ready, "w");
	if (!f || fclose(f))
		return 2;
	for (;;) {
		char name[512];
		ssize_t n;
		int c = accept(s, NULL, NULL);

		if (c < 0)
			continue;
		n = read(c, name, sizeof(name) - 1);
		if (n > 0) {
			name[n] = 0;
			if (fork() == 0) {
				dup2(c, 1);
				execlp("cat", "cat", name, (char *)NULL);
				_exit(127);
			}
		}
		close(c);
	}
}

static int ask(const char *spec, const char *name, const char *out)
{
	struct sockaddr_storage ss;
	socklen_t len = peer_addr(spec, &ss);
	int s = len ? socket(ss.ss_family, SOCK_STREAM, 0) : -1;
	char buf[4096];
	ssize_t n;
	FILE *f;

	if (s < 0 || connect(s, (struct sockaddr *)&ss, len) || write(s, name, strlen(name)) != (ssize_t)strlen(name))
		return 2;
	shutdown(s, SHUT_WR);
	f = fopen(out, "w");
	if (!f)
		return 2;
	while ((n = read(s, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, n, f) != (size_t)n)
			return 2;
	return fclose(f) ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return serve(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "ask"))
		return ask(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: daemon_peer serve SPEC READYFILE | ask SPEC NAME OUT\n");
	return 2;
}
