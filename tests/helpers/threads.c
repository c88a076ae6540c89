// SPDX-License-Identifier: MIT
/* Four threads each open FILE; their opens belong to this process. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *open_once(void *path)
{
	int fd = open(path, O_RDONLY);

	if (fd >= 0)
		close(fd);
	return (void *)(long)(fd >= 0);
}

int main(int argc, char **argv)
{
	pthread_t t[4];
	int ok = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: threads FILE\n");
		return 2;
	}
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, open_once, argv[1]))
			return 1;
	for (int i = 0; i < 4; i++) {
		void *r;

		pthread_join(t[i], &r);
		ok += (long)r;
	}
	return ok == 4 ? 0 : 1;
}
