// SPDX-License-Identifier: MIT
/* The software attester for machines without a TEE (SIMULATED evidence). */
#include "attest/sim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "attest/snp_verify.h"
#include "common/file_bytes.h"

#define SIM_ORG        "Kettle software simulator (not AMD, not a TEE)"
#define SIM_PRODUCT    "Kettle-SIM"
#define SIM_YEARS      25
#define SIM_FILE_MAX   (64 * 1024)

struct sim_state {
	EVP_PKEY *key[3];       /* ARK, ASK, VCEK */
	X509 *cert[3];
};

enum { ARK, ASK, VCEK };
static const char *const names[3] = { "ark", "ask", "vcek" };

/* ---- certificates ------------------------------------------------------- */

/* AMD signs certificates with RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48: the same here. */
static int sign_rsa_pss(X509 *x, EVP_PKEY *key)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = 0;

	if (mctx && EVP_DigestSignInit(mctx, &pctx, EVP_sha384(), NULL, key) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) == 1 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) == 1)
		ok = X509_sign_ctx(x, mctx) > 0;
	EVP_MD_CTX_free(mctx);
	return ok ? 0 : -1;
}

/* The AMD KDS extensions of a VCEK: TCB levels, product name, hardware ID. */
static int add_vcek_exts(X509 *x, const struct sim_vcek_fields *f)
{
	uint8_t product[2 + 64] = { 0x16 };     /* DER IA5String */
	size_t n = strlen(f->product);
	const struct snp_tcb *t = &f->tcb;

	if (n > sizeof(product) - 2 || f->hwid_len > INT_MAX)
		return -1;
	product[1] = (uint8_t)n;
	memcpy(product + 2, f->product, n);
	return (t->has_fmc && x509_add_extension_u8(x, SNP_OID_FMC_SPL, t->fmc)) ||
	       x509_add_extension_u8(x, SNP_OID_BL_SPL, t->bootloader) ||
	       x509_add_extension_u8(x, SNP_OID_TEE_SPL, t->tee) ||
	       x509_add_extension_u8(x, SNP_OID_SNP_SPL, t->snp) ||
	       x509_add_extension_u8(x, SNP_OID_UCODE_SPL, t->microcode) ||
	       x509_add_extension_der(x, SNP_OID_PRODUCT_NAME, product, (int)(2 + n)) ||
	       x509_add_extension_der(x, SNP_OID_HWID, f->hwid, (int)f->hwid_len) ? -1 : 0;
}

static int add_conf_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ok = e && X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

static int random_serial(X509 *x)
{
	uint8_t b[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[0] &= 0x7f;   /* positive, as RFC 5280 wants */
	b[0] |= 0x01;
	bn = BN_bin2bn(b, sizeof(b), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

X509 *sim_make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		    const struct sim_vcek_fields *vcek)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	int bad;

	bad = !x || !name || X509_set_version(x, 2) != 1 || random_serial(x) ||
	      !X509_gmtime_adj(X509_getm_notBefore(x), -86400) ||
	      !X509_time_adj_ex(X509_getm_notAfter(x), 365 * SIM_YEARS, 0, NULL) ||
	      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)SIM_ORG, -1, -1, 0) != 1 ||
	      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) != 1 ||
	      X509_set_subject_name(x, name) != 1 ||
	      X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) != 1 ||
	      X509_set_pubkey(x, key) != 1 ||
	      add_conf_ext(x, issuer ? issuer : x, NID_basic_constraints,
			   vcek ? "critical,CA:FALSE" : "critical,CA:TRUE") ||
	      add_conf_ext(x, issuer ? issuer : x, NID_key_usage,
			   vcek ? "critical,digitalSignature" : "critical,keyCertSign,cRLSign") ||
	      (vcek && add_vcek_exts(x, vcek)) ||
	      sign_rsa_pss(x, issuer_key);
	X509_NAME_free(name);
	ERR_clear_error();
	if (bad) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* ---- the state directory ------------------------------------------------- */

static int mkdir_private(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	struct stat st;
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(path)) {
		snprintf(err, errlen, "simulator state directory name \"%s\" is empty or too long", dir);
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (char *p = path + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(path, 0700) < 0 && errno != EEXIST) {
				snprintf(err, errlen, "%s: %s", path, strerror(errno));
				return -1;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	/* someone else able to swap the keys would make the simulator sign for them */
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(err, errlen, "simulator state directory %s must be owned by this user and "
			 "not writable by others (mode %04o)", dir, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

static int write_file(const char *dir, const char *name, const char *ext, mode_t mode,
		      const unsigned char *data, long len, char *err, size_t errlen)
{
	char path[4200], tmp[4300];
	int fd, e = 0;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		e = errno;
	} else {
		errno = 0;
		if (fchmod(fd, mode) < 0 || write(fd, data, (size_t)len) != len || fsync(fd) < 0)
			e = errno ? errno : EIO;        /* a short write sets none */
		if (close(fd) < 0 && !e)
			e = errno;
		if (!e && rename(tmp, path) < 0)
			e = errno;
	}
	if (!e)
		return 0;
	snprintf(err, errlen, "%s: %s", path, strerror(e));
	unlink(tmp);
	return -1;
}

/* PEM of a key or certificate into a memory buffer, then to DIR/NAME.EXT. */
static int save(const char *dir, int which, bool key, const struct sim_state *s, char *err, size_t errlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long len;
	int rc = -1;

	if (b && (key ? PEM_write_bio_PrivateKey(b, s->key[which], NULL, NULL, 0, NULL, NULL)
		      : PEM_write_bio_X509(b, s->cert[which])) == 1) {
		len = BIO_get_mem_data(b, &data);
		rc = write_file(dir, names[which], key ? "key" : "pem", key ? 0600 : 0644,
				(const unsigned char *)data, len, err, errlen);
	} else {
		snprintf(err, errlen, "cannot encode the simulator's %s %s", names[which], key ? "key" : "certificate");
	}
	BIO_free(b);
	return rc;
}

static int generate(struct sim_state *s, const char *dir, char *err, size_t errlen)
{
	static const char *const cns[3] = { SIM_ARK_CN, SIM_ASK_CN, SIM_VCEK_CN };
	uint8_t hwid[SNP_CHIP_ID_SIZE];
	struct sim_vcek_fields f = { .product = SIM_PRODUCT, .hwid = hwid, .hwid_len = sizeof(hwid) };

	snp_tcb_decode(SIM_TCB, SNP_PRODUCT_SIM, &f.tcb);
	for (size_t i = 0; i < sizeof(hwid); i += 16)
		memcpy(hwid + i, SNP_SIM_MARKER, 16);
	s->key[ARK] = EVP_RSA_gen(4096);
	s->key[ASK] = EVP_RSA_gen(4096);
	s->key[VCEK] = EVP_EC_gen("P-384");
	if (!s->key[ARK] || !s->key[ASK] || !s->key[VCEK]) {
		snprintf(err, errlen, "cannot generate the simulator's keys");
		return -1;
	}
	s->cert[ARK] = sim_make_cert(cns[ARK], s->key[ARK], NULL, s->key[ARK], NULL);
	s->cert[ASK] = s->cert[ARK] ? sim_make_cert(cns[ASK], s->key[ASK], s->cert[ARK], s->key[ARK], NULL) : NULL;
	s->cert[VCEK] = s->cert[ASK] ? sim_make_cert(cns[VCEK], s->key[VCEK], s->cert[ASK], s->key[ASK], &f) : NULL;
	if (!s->cert[VCEK]) {
		snprintf(err, errlen, "cannot make the simulator's certificates");
		return -1;
	}
	/* ark.pem last: its presence says the set is complete */
	for (int w = VCEK; w >= ARK; w--)
		if (save(dir, w, true, s, err, errlen) < 0 || save(dir, w, false, s, err, errlen) < 0)
			return -1;
	return 0;
}

/*
 * The simulator writes its keys unencrypted; an encrypted one is not its own.
 * Without a callback OpenSSL would prompt on the terminal for a passphrase.
 */
static int refuse_password(char *buf, int size, int rwflag, void *asked)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)asked = true;
	return -1;
}

static int load_one(struct sim_state *s, const char *dir, int which, char *err, size_t errlen)
{
	char path[4200], why[200];
	struct x509_list l = { 0 };
	bool encrypted = false;
	uint8_t *buf;
	size_t len;
	BIO *b;

	snprintf(path, sizeof(path), "%s/%s.pem", dir, names[which]);
	if (x509_list_add_file(&l, path, err, errlen) != 1) {
		if (l.n)
			snprintf(err, errlen, "%s: expected one certificate", path);
		x509_list_free(&l);
		return -1;
	}
	s->cert[which] = l.certs[0];    /* take the list's reference */
	snprintf(path, sizeof(path), "%s/%s.key", dir, names[which]);
	if (file_read_bounded(path, SIM_FILE_MAX, &buf, &len, err, errlen) < 0)
		return -1;
	b = BIO_new_mem_buf(buf, (int)len);
	s->key[which] = b ? PEM_read_bio_PrivateKey(b, NULL, refuse_password, &encrypted) : NULL;
	BIO_free(b);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (!s->key[which] || X509_check_private_key(s->cert[which], s->key[which]) != 1) {
		snprintf(why, sizeof(why), "%s", s->key[which] ? "does not match its certificate" :
			 encrypted ? "is encrypted (the simulator's keys never are)" : "is not a PEM private key");
		snprintf(err, errlen, "%s %s: remove the simulator state directory to make a new one", path, why);
		ERR_clear_error();
		return -1;
	}
	return 0;
}

static int load(struct sim_state *s, const char *dir, char *err, size_t errlen)
{
	char why[200];

	for (int w = ARK; w <= VCEK; w++)
		if (load_one(s, dir, w, err, errlen) < 0)
			return -1;
	if (!x509_signed_by(s->cert[ASK], s->cert[ARK], why, sizeof(why)) ||
	    !x509_signed_by(s->cert[VCEK], s->cert[ASK], why, sizeof(why))) {
		snprintf(err, errlen, "%s: the simulator's chain is inconsistent (%s)", dir, why);
		return -1;
	}
	return 0;
}

struct sim_state *sim_state_open(const char *dir, char *err, size_t errlen)
{
	struct sim_state *s;
	char path[4200];
	int lock, rc;

	if (mkdir_private(dir, err, errlen) < 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/.lock", dir);
	lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (lock >= 0)
			close(lock);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		close(lock);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/ark.pem", dir);
	rc = access(path, F_OK) == 0 ? load(s, dir, err, errlen) : generate(s, dir, err, errlen);
	close(lock);
	ERR_clear_error();
	if (rc < 0) {
		sim_state_close(s);
		return NULL;
	}
	return s;
}

void sim_state_close(struct sim_state *s)
{
	if (!s)
		return;
	for (int w = ARK; w <= VCEK; w++) {
		EVP_PKEY_free(s->key[w]);
		X509_free(s->cert[w]);
	}
	free(s);
}

/* ---- reports ----------------------------------------------------------------- */

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int sim_sign_report(EVP_PKEY *key, uint8_t raw[SNP_REPORT_SIZE])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[160];
	const unsigned char *p = der;
	size_t derlen = sizeof(der);
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	int ok = 0;

	if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha384(), NULL, key) == 1 &&
	    EVP_DigestSign(ctx, der, &derlen, raw, SNP_SIGNED_SIZE) == 1 &&
	    (sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen))) {
		ECDSA_SIG_get0(sig, &r, &s);
		ok = BN_bn2lebinpad(r, raw + SNP_SIGNED_SIZE, SNP_SIG_COMPONENT) == SNP_SIG_COMPONENT &&
		     BN_bn2lebinpad(s, raw + SNP_SIGNED_SIZE + SNP_SIG_COMPONENT, SNP_SIG_COMPONENT) == SNP_SIG_COMPONENT;
	}
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int sim_report(struct sim_state *s, const uint8_t report_data[SNP_REPORT_DATA_SIZE],
	       uint8_t out[SNP_REPORT_SIZE], struct x509_list *certs, char *err, size_t errlen)
{
	size_t n0 = certs->n;

	memset(out, 0, SNP_REPORT_SIZE);
	put_le32(out + 0x00, 5);                /* version 5 layout */
	put_le64(out + 0x08, 0x30000);          /* policy: SMT allowed, bit 17 (must be one); no debug */
	put_le32(out + 0x34, 1);                /* ECDSA P-384 with SHA-384 */
	put_le64(out + 0x38, SIM_TCB);          /* current_tcb */
	memcpy(out + 0x50, report_data, SNP_REPORT_DATA_SIZE);
	for (size_t i = 0; i < SNP_MEASUREMENT_SIZE; i += 16)      /* no launch was measured */
		memcpy(out + 0x90 + i, SNP_SIM_MARKER, 16);
	memset(out + 0x160, 0xff, 32);          /* report_id_ma: no migration agent */
	put_le64(out + 0x180, SIM_TCB);         /* reported_tcb */
	for (size_t i = 0; i < SNP_CHIP_ID_SIZE; i += 16)
		memcpy(out + 0x1A0 + i, SNP_SIM_MARKER, 16);
	put_le64(out + 0x1E0, SIM_TCB);         /* committed_tcb */
	put_le64(out + 0x1F0, SIM_TCB);         /* launch_tcb */
	if (RAND_bytes(out + 0x140, 32) != 1 || sim_sign_report(s->key[VCEK], out) < 0) {
		snprintf(err, errlen, "the simulator cannot sign the report");
		ERR_clear_error();
		return -1;
	}
	for (int w = VCEK; w >= ARK; w--)
		if (x509_list_add(certs, s->cert[w]) < 0) {
			while (certs->n > n0)
				X509_free(certs->certs[--certs->n]);
			snprintf(err, errlen, "certificate list is full");
			return -1;
		}
	return 0;
}

int sim_default_dir(char *out, size_t outlen)
{
	const char *v;
	int n;

	if ((v = getenv("KETTLE_SIM_DIR")) && *v)
		n = snprintf(out, outlen, "%s", v);
	else if ((v = getenv("XDG_STATE_HOME")) && *v)
		n = snprintf(out, outlen, "%s/kettle/sim", v);
	else if ((v = getenv("HOME")) && *v)
		n = snprintf(out, outlen, "%s/.local/state/kettle/sim", v);
	else
		return -1;
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}
