/* SPDX-License-Identifier: MIT */
/*
 * The build's observed inputs as a CycloneDX 1.6 JSON BOM: every file the
 * build read and did not write (with the SHA-256 the hasher recorded), the
 * toolchain it executed identified by ELF (build-id, interpreter, needed
 * libraries, or the #! interpreter of a script), and the outputs it left,
 * with a dependency from the build to each input and from each output to
 * the build (docs/forensics.md).
 */
#ifndef KETTLE_FORENSICS_EXPORT_CYCLONEDX_H
#define KETTLE_FORENSICS_EXPORT_CYCLONEDX_H

#include <jansson.h>

#include "forensics/replay.h"

/* The BOM; NULL when out of memory. */
json_t *export_cyclonedx(const struct replay *r);

#endif
