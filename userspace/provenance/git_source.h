/* SPDX-License-Identifier: MIT */
/*
 * The git checkout a build runs in, as `kettle run` records it in the log
 * header (options git.url, git.commit, git.tree, git.dirty): asked of the
 * `git` command, with a time limit, never trusted to succeed.  The log is
 * the record: provenance reads these options back, it never asks git.
 */
#ifndef KETTLE_GIT_SOURCE_H
#define KETTLE_GIT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#define GIT_SOURCE_TIMEOUT_MS 3000      /* per git command */

struct git_source {
	char url[2048];         /* remote.origin.url without credentials, else file://TOPLEVEL */
	char commit[65];        /* hex object name of HEAD (SHA-1 or SHA-256 repositories) */
	char tree[65];          /* of HEAD's tree */
	bool dirty;             /* tracked changes or untracked files (git status --porcelain) */
};

/*
 * Fills SRC when DIR is inside a git work tree with a commit: 1.  0 when it
 * is not (or git is missing), -1 when git failed or timed out, with ERR.
 */
int git_source_read(const char *dir, struct git_source *src, char *err, size_t errlen);

/*
 * URL without its userinfo ("https://user:token@host/x" -> "https://host/x"):
 * a token in a remote URL must not end up in a log or a statement.  scp-like
 * "user@host:path" names an ssh user, not a secret, and is kept.
 */
void git_url_strip_credentials(const char *url, char *out, size_t outlen);

#endif
