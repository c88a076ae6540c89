// SPDX-License-Identifier: MIT
/* Getting evidence for a statement from the TEE that is there (or the simulator). */
#include "attest/evidence.h"
#include "common/errf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "attest/sev_guest.h"
#include "attest/sim.h"
#include "attest/snp_certtable.h"
#include "attest/snp_report.h"
#include "attest/tdx_guest.h"
#include "attest/tdx_quote.h"
#include "attest/tsm.h"
#include "attest/x509.h"
#include "common/file_bytes.h"
#include "common/hex.h"

int tee_choice_parse(const char *name, enum tee_choice *out)
{
	static const char *const names[] = { [TEE_AUTO] = "auto", [TEE_SNP] = "snp",
					     [TEE_TDX] = "tdx", [TEE_SIM] = "sim" };

	for (int i = TEE_AUTO; i <= TEE_SIM; i++)
		if (!strcmp(name, names[i])) {
			*out = (enum tee_choice)i;
			return 0;
		}
	return -1;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

void evidence_paths_default(struct evidence_paths *p)
{
	static char home_sim[4096];

	if (!p->tsm_root)
		p->tsm_root = env_or("KETTLE_TSM_ROOT", TSM_DEFAULT_ROOT);
	if (!p->sev_device)
		p->sev_device = env_or("KETTLE_SEV_DEVICE", SEV_GUEST_DEFAULT_DEVICE);
	if (!p->tdx_device)
		p->tdx_device = env_or("KETTLE_TDX_DEVICE", TDX_GUEST_DEFAULT_DEVICE);
	if (!p->sim_dir) {
		const char *env = getenv("KETTLE_SIM_DIR");

		if (env && *env)
			p->sim_dir = env;
		else if (geteuid() == 0 || sim_default_dir(home_sim, sizeof(home_sim)))
			p->sim_dir = "/var/lib/kettle/sim";    /* root: a system-wide state */
		else
			p->sim_dir = home_sim;
	}
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The SNP certificate table (auxblob, extended report) as bundle certificates. */
static int add_certtable(struct bundle *b, const uint8_t *blob, size_t len, char *err, size_t errlen)
{
	struct snp_certtable t;
	char why[256];

	if (!blob || !len)
		return 0;
	if (snp_certtable_parse(blob, len, &t, why, sizeof(why)))
		return errf(err, errlen, "the SNP certificate table from the host: %s", why);
	for (size_t i = 0; i < t.n; i++) {
		const struct snp_cert_entry *e = &t.entries[i];
		const char *role;

		switch (e->kind) {
		case SNP_CERT_VCEK: role = "vcek"; break;
		case SNP_CERT_VLEK: role = "vlek"; break;
		/* AMD's ASK GUID carries the ASVK when the report is signed by a VLEK. */
		case SNP_CERT_ASK: role = snp_certtable_find(&t, SNP_CERT_VLEK) ? "asvk" : "ask"; break;
		case SNP_CERT_ARK: role = "ark"; break;
		default: continue;
		}
		if (bundle_add_cert(b, role, e->data, e->length, why, sizeof(why)))
			return errf(err, errlen, "the SNP certificate table from the host: %s", why);
	}
	return 0;
}

static int from_tsm(const struct evidence_paths *p, enum tee_choice want, const uint8_t rd[REPORT_DATA_LEN],
		    struct bundle *b, char *err, size_t errlen)
{
	struct tsm_evidence e;
	char why[512];
	int r;

	r = tsm_get_evidence(p->tsm_root, rd, &e, err, errlen);
	if (r)
		return r;
	if (!strcmp(e.provider, "sev_guest"))
		b->platform = PLATFORM_SEV_SNP;
	else if (!strcmp(e.provider, "tdx_guest"))
		b->platform = PLATFORM_TDX;
	if (b->platform == PLATFORM_NONE || (want == TEE_SNP && b->platform != PLATFORM_SEV_SNP) ||
	    (want == TEE_TDX && b->platform != PLATFORM_TDX)) {
		errf(err, errlen, "configfs-tsm at %s: provider '%s' is not %s", p->tsm_root, e.provider,
		     want == TEE_TDX ? "tdx_guest" : want == TEE_SNP ? "sev_guest" : "sev_guest or tdx_guest");
		tsm_evidence_free(&e);
		return -1;
	}
	r = bundle_set_report(b, e.outblob, e.outlen, why, sizeof(why));
	if (r)
		errf(err, errlen, "configfs-tsm outblob: %s", why);
	else if (b->platform == PLATFORM_SEV_SNP)
		r = add_certtable(b, e.auxblob, e.auxlen, err, errlen);
	if (!r)
		fprintf(stderr, "kettle: evidence from configfs-tsm (%s, %s)\n", p->tsm_root, e.provider);
	tsm_evidence_free(&e);
	return r;
}

static int from_sev_device(const struct evidence_paths *p, const uint8_t rd[REPORT_DATA_LEN],
			   struct bundle *b, char *err, size_t errlen)
{
	struct sev_guest_evidence e;
	char why[256];
	int r;

	if (sev_guest_get_evidence(p->sev_device, rd, &e, err, errlen))
		return -1;
	b->platform = PLATFORM_SEV_SNP;
	r = bundle_set_report(b, e.report, sizeof(e.report), why, sizeof(why));
	if (r)
		errf(err, errlen, "%s: %s", p->sev_device, why);
	else
		r = add_certtable(b, e.certs, e.certs_len, err, errlen);
	if (!r)
		fprintf(stderr, "kettle: evidence from %s (%s)\n", p->sev_device,
			e.extended ? "extended report" : "report only: no certificates from the host");
	sev_guest_evidence_free(&e);
	return r;
}

static int from_tdx_device(const struct evidence_paths *p, const uint8_t rd[REPORT_DATA_LEN],
			   char *err, size_t errlen)
{
	uint8_t tdreport[TDX_GUEST_TDREPORT_SIZE];

	if (tdx_guest_get_tdreport(p->tdx_device, rd, tdreport, err, errlen))
		return -1;
	return errf(err, errlen, "%s gave a TDREPORT, which only this platform can check (its MAC key "
		    "never leaves the CPU); a verifiable TDX quote needs configfs-tsm (Linux 6.7+, %s) "
		    "or a quote generation service (Intel QGS)", p->tdx_device, p->tsm_root);
}

static int from_sim(const struct evidence_paths *p, const uint8_t rd[REPORT_DATA_LEN],
		    struct bundle *b, char *err, size_t errlen)
{
	static const char *const roles[] = { "vcek", "ask", "ark" };   /* sim_report's order */
	struct x509_list certs = { 0 };
	struct sim_state *s;
	uint8_t report[SNP_REPORT_SIZE];
	char why[512];
	int r;

	s = sim_state_open(p->sim_dir, why, sizeof(why));
	if (!s)
		return errf(err, errlen, "simulator: %s", why);
	r = sim_report(s, rd, report, &certs, why, sizeof(why));
	sim_state_close(s);
	if (r) {
		x509_list_free(&certs);
		return errf(err, errlen, "simulator: %s", why);
	}
	b->platform = PLATFORM_SIM_SEV_SNP;
	b->simulated = true;
	r = bundle_set_report(b, report, sizeof(report), why, sizeof(why));
	for (size_t i = 0; !r && i < certs.n; i++) {
		unsigned char *der = NULL;
		int n = i2d_X509(certs.certs[i], &der);

		r = n <= 0 ? -1 : bundle_add_cert(b, i < 3 ? roles[i] : "other", der, (size_t)n, why, sizeof(why));
		if (n <= 0)
			snprintf(why, sizeof(why), "cannot encode certificate %zu", i);
		OPENSSL_free(der);
	}
	x509_list_free(&certs);
	if (r)
		return errf(err, errlen, "simulator: %s", why);
	fprintf(stderr, "kettle: SIMULATED evidence from the software simulator (%s): "
		"not from a TEE, accepted only by kettle verify --allow-sim\n", p->sim_dir);
	return 0;
}

/* Real hardware when there is any; the simulator, loudly, when there is none. */
static int from_auto(const struct evidence_paths *p, const uint8_t rd[REPORT_DATA_LEN],
		     struct bundle *b, char *err, size_t errlen)
{
	if (tsm_present(p->tsm_root)) {
		int r = from_tsm(p, TEE_AUTO, rd, b, err, errlen);

		if (r != TSM_NO_PROVIDER)
			return r;
	}
	if (exists(p->sev_device))
		return from_sev_device(p, rd, b, err, errlen);
	if (exists(p->tdx_device))
		return from_tdx_device(p, rd, err, errlen);
	fprintf(stderr,
		"kettle: NOTICE: no TEE found (no configfs-tsm provider at %s, no %s, no %s).\n"
		"kettle: NOTICE: falling back to the SOFTWARE SIMULATOR: this evidence is SIMULATED,\n"
		"kettle: NOTICE: proves nothing about hardware, and kettle verify rejects it without --allow-sim.\n",
		p->tsm_root, p->sev_device, p->tdx_device);
	return from_sim(p, rd, b, err, errlen);
}

/* The report_data inside the evidence, so a mix-up is caught before a bundle is written. */
static int report_data_of(const struct bundle *b, uint8_t out[REPORT_DATA_LEN], char *err, size_t errlen)
{
	char why[256];

	if (b->platform == PLATFORM_TDX) {
		struct tdx_quote q;

		if (tdx_quote_parse(b->report, b->report_len, &q, why, sizeof(why)))
			return errf(err, errlen, "the TDX quote from the TEE does not parse: %s", why);
		memcpy(out, q.body.report_data, REPORT_DATA_LEN);
	} else {
		struct snp_report r;

		if (snp_report_parse(b->report, b->report_len, &r, why, sizeof(why)))
			return errf(err, errlen, "the SNP report from the TEE does not parse: %s", why);
		memcpy(out, r.report_data, REPORT_DATA_LEN);
	}
	return 0;
}

int evidence_get(enum tee_choice tee, const struct evidence_paths *paths,
		 const uint8_t report_data[REPORT_DATA_LEN], struct bundle *b, char *err, size_t errlen)
{
	uint8_t got[REPORT_DATA_LEN];
	char hex[2 * REPORT_DATA_LEN + 1];
	int r;

	switch (tee) {
	case TEE_SIM:
		r = from_sim(paths, report_data, b, err, errlen);
		break;
	case TEE_SNP:
		if (tsm_present(paths->tsm_root) &&
		    (r = from_tsm(paths, TEE_SNP, report_data, b, err, errlen)) != TSM_NO_PROVIDER)
			break;
		if (!exists(paths->sev_device))
			return errf(err, errlen, "no SEV-SNP guest interface: no configfs-tsm provider at %s and no %s",
				    paths->tsm_root, paths->sev_device);
		r = from_sev_device(paths, report_data, b, err, errlen);
		break;
	case TEE_TDX:
		if (tsm_present(paths->tsm_root) &&
		    (r = from_tsm(paths, TEE_TDX, report_data, b, err, errlen)) != TSM_NO_PROVIDER)
			break;
		if (!exists(paths->tdx_device))
			return errf(err, errlen, "no TDX guest interface: no configfs-tsm provider at %s and no %s",
				    paths->tsm_root, paths->tdx_device);
		r = from_tdx_device(paths, report_data, err, errlen);
		break;
	default:
		r = from_auto(paths, report_data, b, err, errlen);
		break;
	}
	if (r)
		return -1;
	if (report_data_of(b, got, err, errlen))
		return -1;
	if (memcmp(got, report_data, REPORT_DATA_LEN)) {
		hex_encode(got, 16, hex);
		return errf(err, errlen, "the evidence's report_data (%s...) is not the one requested: "
			    "another request got mixed in, or the TEE interface is not what it claims", hex);
	}
	return 0;
}

int attest_statement(const struct attest_request *req, struct bundle *b, char *err, size_t errlen)
{
	uint8_t rd[REPORT_DATA_LEN], *stmt;
	size_t len;
	char why[512], hex[2 * STATEMENT_DIGEST_LEN + 1];

	memset(b, 0, sizeof(*b));
	if (file_read_bounded(req->statement_path, BUNDLE_STATEMENT_MAX, &stmt, &len, err, errlen))
		return -1;
	if (req->signing_key_len > BUNDLE_KEY_MAX) {
		free(stmt);
		return errf(err, errlen, "signing key of %zu bytes is too large to bind", req->signing_key_len);
	}
	if ((req->signing_key_len
		     ? report_data_make_keyed(stmt, len, req->signing_key, req->signing_key_len,
					      req->has_nonce ? req->nonce : NULL, rd)
		     : report_data_make(stmt, len, req->has_nonce ? req->nonce : NULL, rd)) ||
	    bundle_set_statement(b, stmt, len, why, sizeof(why))) {
		free(stmt);
		bundle_free(b);
		return errf(err, errlen, "%s: cannot hash or keep the statement", req->statement_path);
	}
	free(stmt);
	hex_encode(rd, STATEMENT_DIGEST_LEN, hex);
	fprintf(stderr, "kettle: statement %s: report_data %s%s%s\n", req->statement_path, hex,
		req->signing_key_len ? " (statement and session key)" : " (sha256 of the statement)",
		req->has_nonce ? ", with nonce" : "");
	if (evidence_get(req->tee, &req->paths, rd, b, err, errlen)) {
		bundle_free(b);
		return -1;
	}
	b->has_nonce = req->has_nonce;
	if (req->has_nonce)
		memcpy(b->nonce, req->nonce, NONCE_LEN);
	if (req->signing_key_len) {
		memcpy(b->signing_key, req->signing_key, req->signing_key_len);
		b->signing_key_len = req->signing_key_len;
	}
	bundle_stamp(b);
	if (bundle_write_file(b, req->bundle_path, err, errlen)) {
		bundle_free(b);
		return -1;
	}
	return 0;
}
