/* SPDX-License-Identifier: MIT */
/*
 * The certificate table of an SNP extended report (GHCB specification,
 * SNP_GUEST_REQUEST with certificates; configfs-tsm's auxblob for SNP):
 * entries of { GUID (16 bytes, RFC 4122 byte order), offset (u32 LE),
 * length (u32 LE) } ended by an all-zero entry, then the certificates,
 * each at OFFSET bytes from the start of the table.
 */
#ifndef KETTLE_ATTEST_SNP_CERTTABLE_H
#define KETTLE_ATTEST_SNP_CERTTABLE_H

#include <stddef.h>
#include <stdint.h>

#define SNP_CERTTABLE_ENTRY_SIZE  24
#define SNP_CERTTABLE_MAX         16            /* entries, the terminator not counted */
#define SNP_CERTTABLE_BLOB_MAX    (64 * 1024)   /* the kernel gives at most 16 pages */

enum snp_cert_kind {
	SNP_CERT_OTHER = 0,     /* a GUID this table does not know: kept, not used */
	SNP_CERT_VCEK,
	SNP_CERT_VLEK,
	SNP_CERT_ASK,           /* AMD's GUID for the ASK, which also carries the ASVK */
	SNP_CERT_ARK,
};

struct snp_cert_entry {
	uint8_t guid[16];
	enum snp_cert_kind kind;
	uint32_t offset, length;
	const uint8_t *data;    /* points into the parsed blob */
};

struct snp_certtable {
	struct snp_cert_entry entries[SNP_CERTTABLE_MAX];
	size_t n;
};

/*
 * Parses BLOB (LEN bytes). Returns 0, or -1 with a one-line ERR for a
 * missing terminator, more than SNP_CERTTABLE_MAX entries, an empty entry,
 * an entry that points into the table itself or past LEN, two entries that
 * overlap, or a GUID twice. An empty blob is an empty table.
 */
int snp_certtable_parse(const uint8_t *blob, size_t len, struct snp_certtable *out,
			char *err, size_t errlen);

/* The first entry of KIND, or NULL. */
const struct snp_cert_entry *snp_certtable_find(const struct snp_certtable *t,
						 enum snp_cert_kind kind);

/* "VCEK", "VLEK", "ASK", "ARK", "other" */
const char *snp_cert_kind_name(enum snp_cert_kind kind);
/* "63da758d-e664-4564-adc5-f4b93be8accd" (37 bytes with the NUL) */
void snp_guid_str(const uint8_t guid[16], char out[37]);

/*
 * Writes a table of N certificates (KINDS[i], DERS[i], LENS[i]; SNP_CERT_OTHER
 * not allowed) into OUT (CAP bytes). Returns the bytes written, or -1 when it
 * does not fit. For the simulator and for tests.
 */
long snp_certtable_write(const enum snp_cert_kind *kinds, const uint8_t *const *ders,
			 const size_t *lens, size_t n, uint8_t *out, size_t cap);

#endif
