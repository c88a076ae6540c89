#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# In the qemu guest (tools/kmod-test), after guest_kmod: the real `kettle run`
# with the module loaded, on a build step that executes a program and then
# rewrites it, and executes another and then deletes it.  Prints
#   KMOD-RUN <name> <value>                facts for the host
#   KMOD-RUN-FILE <name> / KMOD-B64 <line> / KMOD-RUN-FILE-END
#                                          a file, base64 (the log, the provenance)
#   KMOD-RUN-DONE
# tests/integration/test_kmod.c asserts on them.

say() { echo "KMOD-RUN $*"; }
send() {
	echo "KMOD-RUN-FILE $1"
	base64 "$2" | sed 's/^/KMOD-B64 /'
	echo "KMOD-RUN-FILE-END"
}
# kettle's stderr, prefixed so that it reaches the host's result
show_err() { sed 's/^/KMOD-RUN-STDERR /' "$1"; }

mkdir -p /sys/kernel/tracing /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t bpf bpf /sys/fs/bpf
rmmod kettle 2>/dev/null
insmod /kettle.ko
say module_loaded $([ -c /dev/kettle ] && echo yes || echo no)

mkdir -p /t/run && cd /t/run || exit 1
cp /guest_true gen
cp /guest_true_b del
chmod 0755 gen del

# The device busy (one reader at a time): kettle run refuses, loudly.
(exec 3</dev/kettle; sleep 4) &
holder=$!
sleep 1
/kettle run --no-progress -o busy.cbor -- /t/run/gen 2>busy.err
say busy_status $?
show_err busy.err
kill $holder 2>/dev/null
wait $holder 2>/dev/null

[ "$KETTLE_DEBUG_BPF" = 1 ] || unset KETTLE_DEBUG_BPF
# The build step: gen runs, then is rewritten; del runs, then is deleted.
/kettle run --no-progress --ringbuf-size 4M -o k.cbor --provenance prov.json -- \
	sh -c '/t/run/gen && echo rewritten >/t/run/gen && /t/run/del && rm /t/run/del && echo built >out.txt' \
	2>run.err
say run_status $?
tail -n 80 run.err | sed "s/^/KMOD-RUN-STDERR /"
/kettle log show k.cbor 2>&1 | grep -E 'kmod|/t/run/(gen|del)' | sed 's/^/KMOD-RUN-SHOW /'
send log k.cbor
send provenance prov.json

# io_uring in this kernel (io_uring_submit_sqe, the older io_uring_complete):
# an open inline and one by io-wq are recorded, a rename through the ring is flagged.
mkdir -p /t/uring && cd /t/uring && echo uring-input >in.txt
/kettle run --no-progress -o u.cbor -- sh -c \
	'/blind_spot io-uring /t/uring/in.txt && /blind_spot io-uring-async /t/uring/in.txt && /blind_spot io-uring-rename' \
	2>u.err
say uring_status $?
tail -n 20 u.err | sed "s/^/KMOD-RUN-STDERR /"
say uring_opens $(/kettle log show u.cbor | grep -c '/t/uring/in.txt .*via io_uring_openat')
say uring_op_notices $(/kettle log show u.cbor | grep -c 'notice io-uring-op')
# A daemon started before the run that accepts the build's connection through an
# io_uring (this kernel's older io_uring_complete): named by its own daemon notice,
# call 0 (not accept(2)'s).
mkdir -p /t/d && cd /t/d && echo daemon-input >in.txt
/daemon_peer serve unix:/t/d/d.sock /t/d/ready uring &
dp=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /t/d/ready ] || sleep 1; done
/kettle run --no-progress -o d.cbor -- /daemon_peer ask unix:/t/d/d.sock /t/d/in.txt /t/d/out.txt 2>d.err
say uring_daemon_status $?
tail -n 20 d.err | sed "s/^/KMOD-RUN-STDERR /"
say uring_daemon_named $(/kettle log show d.cbor | grep -c "\[$dp/$dp\] notice daemon (call 0,")
kill $dp 2>/dev/null
# Module autoload (this kernel loads modules): the build asks for a socket family only
# a module provides; the kernel runs modprobe outside the build's tree: kernel-module.
mkdir -p /t/mod && cd /t/mod
/kettle run --no-progress -o m.cbor --provenance m.json -- sh -c '/blind_spot module-autoload && echo done > out' 2>m.err
say modreq_status $?
tail -n 5 m.err | sed "s/^/KMOD-RUN-STDERR /"
say modreq_notices $(/kettle log show m.cbor | grep -c 'notice kernel-module (call 0,')
# 32-bit system calls on a kernel with IA32 emulation: int 0x80 from a 64-bit program,
# and an ia32 program that opens a file and executes another.  Under AddressSanitizer
# (make SANITIZE=1) the helper's leak check at exit would ptrace its threads, which
# Kettle rightly flags: off here, as in tests/integration/test_blind_spots.c.
mkdir -p /t/i32 && cd /t/i32 && echo int80-input >in80.txt && echo ia32-input >in32.txt
/kettle run --no-progress -o i.cbor --provenance i.json -- sh -c \
	'ASAN_OPTIONS=detect_leaks=0 /blind_spot int80 /t/i32/in80.txt && /guest_ia32 /t/i32/in32.txt /guest_true' 2>i.err
say ia32_status $?
tail -n 20 i.err | sed "s/^/KMOD-RUN-STDERR /"
say int80_opens $(/kettle log files i.cbor | grep -c '/t/i32/in80.txt')
say ia32_opens $(/kettle log files i.cbor | grep -c '/t/i32/in32.txt')
say ia32_execs $(/kettle log show i.cbor | grep -cE '\] exec /guest_(ia32|true) ')
say ia32_exec_failed $(/kettle log show i.cbor | grep -cE 'exec.*/guest_true-absent.*(ENOENT|failed|= -2)')
say ia32_dependency $(grep -c 'file:///t/i32/in32.txt' i.json)
/kettle log show i.cbor | grep -E 'notice|/t/i32/' | sed 's/^/KMOD-RUN-SHOW /'
dmesg | grep -E 'BUG:|WARNING:|Oops' | sed 's/^/KMOD-RUN-DMESG /'
echo KMOD-RUN-DONE
