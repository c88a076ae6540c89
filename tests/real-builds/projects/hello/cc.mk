# The compiler-cache cases: make -f cc.mk CC="ccache gcc" (or sccache gcc, distcc gcc).
CC ?= gcc
hello: main.o greet.o
	gcc -o $@ main.o greet.o
%.o: %.c greet.h
	$(CC) -c -o $@ $<
