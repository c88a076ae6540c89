/* SPDX-License-Identifier: MIT */
/*
 * The build as an in-toto Statement with the runtime-trace predicate v0.1
 * (https://in-toto.io/attestation/runtime-trace/v0.1): monitor (kettle and
 * how it traced), monitoredProcess (host boot, build type, invocation),
 * monitorLog with every process instance, every network endpoint the build's
 * socket calls named, and every file it touched as a ResourceDescriptor
 * with the digest the hasher recorded (docs/forensics.md).
 */
#ifndef KETTLE_FORENSICS_EXPORT_RUNTIME_TRACE_H
#define KETTLE_FORENSICS_EXPORT_RUNTIME_TRACE_H

#include <jansson.h>

#include "forensics/replay.h"

#define RUNTIME_TRACE_PREDICATE "https://in-toto.io/attestation/runtime-trace/v0.1"
#define RUNTIME_TRACE_MONITOR   "https://kettle.dev/monitors/kettle-ebpf/v1"

/* The statement; NULL when out of memory. */
json_t *export_runtime_trace(const struct replay *r);

#endif
