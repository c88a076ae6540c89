// SPDX-License-Identifier: MIT
/* The certificate table of an SNP extended report. */
#include "attest/snp_certtable.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct {
	enum snp_cert_kind kind;
	uint8_t guid[16];
} known[] = {
	{ SNP_CERT_VCEK, { 0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
			   0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd } },
	{ SNP_CERT_VLEK, { 0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
			   0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1 } },
	{ SNP_CERT_ASK,  { 0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
			   0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82 } },
	{ SNP_CERT_ARK,  { 0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
			   0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae } },
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static enum snp_cert_kind kind_of(const uint8_t guid[16])
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!memcmp(guid, known[i].guid, 16))
			return known[i].kind;
	return SNP_CERT_OTHER;
}

const char *snp_cert_kind_name(enum snp_cert_kind kind)
{
	switch (kind) {
	case SNP_CERT_VCEK: return "VCEK";
	case SNP_CERT_VLEK: return "VLEK";
	case SNP_CERT_ASK: return "ASK";
	case SNP_CERT_ARK: return "ARK";
	default: return "other";
	}
}

void snp_guid_str(const uint8_t g[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9],
		 g[10], g[11], g[12], g[13], g[14], g[15]);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int snp_certtable_parse(const uint8_t *blob, size_t len, struct snp_certtable *t,
			char *err, size_t errlen)
{
	size_t header_end = 0;

	memset(t, 0, sizeof(*t));
	if (len == 0)
		return 0;
	if (len > SNP_CERTTABLE_BLOB_MAX) {
		snprintf(err, errlen, "certificate table of %zu bytes is larger than %d",
			 len, SNP_CERTTABLE_BLOB_MAX);
		return -1;
	}
	for (size_t off = 0;; off += SNP_CERTTABLE_ENTRY_SIZE) {
		const uint8_t *e = blob + off;
		struct snp_cert_entry *ent;

		if (len - off < SNP_CERTTABLE_ENTRY_SIZE) {
			snprintf(err, errlen, "certificate table: no all-zero entry ends the table "
				 "within its %zu bytes", len);
			return -1;
		}
		if (all_zero(e, SNP_CERTTABLE_ENTRY_SIZE)) {
			header_end = off + SNP_CERTTABLE_ENTRY_SIZE;
			break;
		}
		if (t->n == SNP_CERTTABLE_MAX) {
			snprintf(err, errlen, "certificate table has more than %d entries",
				 SNP_CERTTABLE_MAX);
			return -1;
		}
		ent = &t->entries[t->n++];
		memcpy(ent->guid, e, 16);
		ent->kind = kind_of(ent->guid);
		ent->offset = le32(e + 16);
		ent->length = le32(e + 20);
	}
	for (size_t i = 0; i < t->n; i++) {
		struct snp_cert_entry *ent = &t->entries[i];
		char g[37];

		snp_guid_str(ent->guid, g);
		if (ent->length == 0) {
			snprintf(err, errlen, "certificate table entry %zu (%s) is empty", i, g);
			return -1;
		}
		if (ent->offset < header_end) {
			snprintf(err, errlen, "certificate table entry %zu (%s) at offset %u points "
				 "into the table header (%zu bytes)", i, g, ent->offset, header_end);
			return -1;
		}
		if ((size_t)ent->offset > len || (size_t)ent->length > len - ent->offset) {
			snprintf(err, errlen, "certificate table entry %zu (%s): bytes %u..%llu are "
				 "outside the %zu-byte table", i, g, ent->offset,
				 (unsigned long long)ent->offset + ent->length, len);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			const struct snp_cert_entry *o = &t->entries[j];

			if (!memcmp(o->guid, ent->guid, 16)) {
				snprintf(err, errlen, "certificate table: GUID %s appears twice", g);
				return -1;
			}
			if (ent->offset < o->offset + o->length && o->offset < ent->offset + ent->length) {
				snprintf(err, errlen, "certificate table entries %zu and %zu overlap", j, i);
				return -1;
			}
		}
		ent->data = blob + ent->offset;
	}
	return 0;
}

const struct snp_cert_entry *snp_certtable_find(const struct snp_certtable *t,
						 enum snp_cert_kind kind)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->entries[i].kind == kind)
			return &t->entries[i];
	return NULL;
}

long snp_certtable_write(const enum snp_cert_kind *kinds, const uint8_t *const *ders,
			 const size_t *lens, size_t n, uint8_t *out, size_t cap)
{
	size_t pos = (n + 1) * SNP_CERTTABLE_ENTRY_SIZE;

	if (n > SNP_CERTTABLE_MAX || pos > cap)
		return -1;
	memset(out, 0, pos);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = out + i * SNP_CERTTABLE_ENTRY_SIZE;
		size_t k;

		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (known[k].kind == kinds[i])
				break;
		if (k == sizeof(known) / sizeof(known[0]) || lens[i] == 0 ||
		    lens[i] > cap - pos || pos > UINT32_MAX || lens[i] > UINT32_MAX)
			return -1;
		memcpy(e, known[k].guid, 16);
		put_le32(e + 16, (uint32_t)pos);
		put_le32(e + 20, (uint32_t)lens[i]);
		memcpy(out + pos, ders[i], lens[i]);
		pos += lens[i];
	}
	return (long)pos;
}
