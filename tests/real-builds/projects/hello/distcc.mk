# The distributed case (tests/real-builds/distcc-tree): each object compiled on a worker of its own,
# main.o on WORKER_A, greet.o on WORKER_B (host:port), so a test knows which worker made which job.
hello: main.o greet.o
	gcc -o $@ main.o greet.o
main.o: export DISTCC_HOSTS = $(WORKER_A)
greet.o: export DISTCC_HOSTS = $(WORKER_B)
%.o: %.c greet.h
	distcc gcc -c -o $@ $<
