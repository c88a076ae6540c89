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
dmesg | grep -E 'BUG:|WARNING:|Oops' | sed 's/^/KMOD-RUN-DMESG /'
echo KMOD-RUN-DONE
