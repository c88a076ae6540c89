// SPDX-License-Identifier: MIT
/* The software simulator: its state directory, and its reports checked by the same verifier as hardware reports. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "attest/sim.h"
#include "attest/snp_verify.h"
#include "check_lookup.h"
#include "test_vectors.h"
#include "testlib.h"

static char state_dir[64];
static struct sim_state *sim;

/* One state directory for the whole program: RSA-4096 generation takes seconds. */
static struct sim_state *shared_sim(void)
{
	char err[256], tmpl[] = "/tmp/kettle-sim-XXXXXX";

	if (sim)
		return sim;
	if (!mkdtemp(tmpl))
		return NULL;
	snprintf(state_dir, sizeof(state_dir), "%s/state", tmpl);
	sim = sim_state_open(state_dir, err, sizeof(err));
	if (!sim)
		fprintf(stderr, "  %s\n", err);
	return sim;
}

static bool verify(const uint8_t *raw, const struct x509_list *certs, bool allow_sim,
		   struct check_list *l, struct snp_verified *v)
{
	struct snp_verify_opts o = { .now = time(NULL), .allow_sim = allow_sim };

	memset(l, 0, sizeof(*l));
	return snp_verify(raw, SNP_REPORT_SIZE, certs, &o, l, v);
}

static int make(uint8_t raw[SNP_REPORT_SIZE], struct x509_list *certs)
{
	uint8_t rd[SNP_REPORT_DATA_SIZE];
	char err[256];

	for (int i = 0; i < SNP_REPORT_DATA_SIZE; i++)
		rd[i] = (uint8_t)(i * 7 + 1);
	if (sim_report(shared_sim(), rd, raw, certs, err, sizeof(err)) < 0) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	return 0;
}

static int state_directory_is_private(void)
{
	const char *files[] = { "ark.key", "ask.key", "vcek.key" };
	char path[256];
	struct stat st;

	CHECK(shared_sim(), "state opened");
	CHECK(stat(state_dir, &st) == 0 && (st.st_mode & 0777) == 0700, "directory mode %o", st.st_mode & 0777);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", state_dir, files[i]);
		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "%s mode %o", files[i], st.st_mode & 0777);
	}
	return TEST_PASS;
}

static int certificates_say_not_a_tee(void)
{
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];
	const char *want[3] = { SIM_VCEK_CN, SIM_ASK_CN, SIM_ARK_CN };
	char cn[X509_CN_MAX];

	CHECK(shared_sim() && make(raw, &certs) == 0, "report");
	CHECK(certs.n == 3, "VCEK, ASK, ARK");
	for (int i = 0; i < 3; i++) {
		CHECK(x509_subject_cn(certs.certs[i], cn, sizeof(cn)) == 0 && !strcmp(cn, want[i]), "CN %s", cn);
		CHECK(strstr(cn, "Kettle SIM") && strstr(cn, "NOT A TEE"), "CN says what it is: %s", cn);
	}
	x509_list_free(&certs);
	return TEST_PASS;
}

static int reopening_keeps_the_chain(void)
{
	struct x509_list a = { 0 }, b = { 0 };
	uint8_t raw[SNP_REPORT_SIZE], fa[32], fb[32];
	struct sim_state *again;
	char err[256];

	CHECK(shared_sim() && make(raw, &a) == 0, "report");
	again = sim_state_open(state_dir, err, sizeof(err));
	CHECK(again, "%s", err);
	CHECK(sim_report(again, raw + 0x50, raw, &b, err, sizeof(err)) == 0, "%s", err);
	CHECK(x509_sha256(a.certs[2], fa) == 0 && x509_sha256(b.certs[2], fb) == 0 && !memcmp(fa, fb, 32),
	      "same ARK after reopening");
	sim_state_close(again);
	x509_list_free(&a);
	x509_list_free(&b);
	return TEST_PASS;
}

static int sim_report_verifies_with_allow_sim(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];
	const struct check_result *c;

	CHECK(shared_sim() && make(raw, &certs) == 0, "report");
	CHECK(verify(raw, &certs, true, &l, &v), "verifies with allow_sim");
	CHECK(check_all_passed(&l), "all checks");
	CHECK(v.simulated && v.product == SNP_PRODUCT_SIM && v.report.version == 5, "simulated, v5");
	c = check_find(&l, "snp.simulated");
	CHECK(c && c->passed && strstr(c->reason, "simulated evidence"), "the list says simulated");
	CHECK(test_check_passed(&l, "snp.report.signature") && test_check_passed(&l, "snp.vcek.tcb") &&
	      test_check_passed(&l, "snp.vcek.hwid") && test_check_passed(&l, "snp.report.reserved"),
	      "the hardware checks ran and passed");
	CHECK(v.report.report_data[0] == 1 && v.report.report_data[63] == (uint8_t)(63 * 7 + 1), "report_data");
	CHECK(snp_report_has_sim_marker(&v.report), "marker");
	x509_list_free(&certs);
	return TEST_PASS;
}

static int sim_report_rejected_without_allow_sim(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];
	const struct check_result *c;

	CHECK(shared_sim() && make(raw, &certs) == 0, "report");
	CHECK(!verify(raw, &certs, false, &l, &v), "accepted without allow_sim");
	c = check_first_failure(&l);
	CHECK(c && !strcmp(c->name, "snp.simulated") && strstr(c->reason, "simulated"),
	      "fails as simulated: %s", c ? c->reason : "");
	x509_list_free(&certs);
	return TEST_PASS;
}

static int changed_byte_fails_even_with_allow_sim(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];

	CHECK(shared_sim() && make(raw, &certs) == 0, "report");
	raw[0x50] ^= 1;         /* report_data[0]: the statement digest */
	CHECK(!verify(raw, &certs, true, &l, &v), "accepted");
	CHECK(test_check_failed(&l, "snp.report.signature"), "signature fails");
	x509_list_free(&certs);
	return TEST_PASS;
}

static int sim_chain_does_not_vouch_for_unmarked_reports(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];

	CHECK(shared_sim() && make(raw, &certs) == 0, "report");
	/* without the marker it is no longer simulated evidence: the unpinned root fails */
	memset(raw + 0x1A0, 0x42, SNP_CHIP_ID_SIZE);
	CHECK(!verify(raw, &certs, true, &l, &v), "accepted");
	CHECK(!v.simulated && test_check_failed(&l, "snp.chain.ark"), "root not pinned");
	x509_list_free(&certs);
	return TEST_PASS;
}

static int real_report_with_sim_chain_rejected(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE], real[SNP_REPORT_SIZE];
	char err[256];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(shared_sim() && make(raw, &certs) == 0, "report");
	CHECK(snp_report_load_file(test_vector_path("snp/gosev_attestation.bin"), real, err, sizeof(err)) == 0, "%s", err);
	CHECK(!verify(real, &certs, true, &l, &v), "accepted");
	CHECK(!v.simulated && test_check_failed(&l, "snp.chain.ark") && test_check_failed(&l, "snp.report.signature"),
	      "neither root nor signature");
	x509_list_free(&certs);
	return TEST_PASS;
}

/* A copy of the good state in the new directory TMPL (a mkdtemp template). */
static int copy_state(char *tmpl)
{
	char cmd[512];

	if (!shared_sim() || !mkdtemp(tmpl))
		return -1;
	snprintf(cmd, sizeof(cmd), "cp -p %s/*.pem %s/*.key %s/", state_dir, state_dir, tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

static int remove_dir(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int corrupt_state_named_in_error(void)
{
	char tmpl[] = "/tmp/kettle-sim-bad-XXXXXX", path[512], err[256];
	struct sim_state *s;
	FILE *f;

	CHECK(copy_state(tmpl) == 0, "copy of the state");
	/* with a garbage VCEK key */
	snprintf(path, sizeof(path), "%s/vcek.key", tmpl);
	f = fopen(path, "w");
	CHECK(f && fputs("not a key\n", f) >= 0 && fclose(f) == 0, "write");
	s = sim_state_open(tmpl, err, sizeof(err));
	CHECK(!s, "garbage key accepted");
	CHECK(strstr(err, "vcek.key") && strstr(err, "not a PEM private key"), "error: %s", err);
	CHECK(remove_dir(tmpl) == 0, "cleanup");
	return TEST_PASS;
}

/* Rewrites DIR/vcek.key encrypted with a passphrase. */
static int encrypt_vcek_key(const char *dir)
{
	char path[512];
	EVP_PKEY *key = NULL;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/vcek.key", dir);
	f = fopen(path, "r");
	if (f) {
		key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	f = key ? fopen(path, "w") : NULL;
	ok = f && PEM_write_PrivateKey(f, key, EVP_aes_256_cbc(), (unsigned char *)"kettle", 6, NULL, NULL) == 1;
	if (f)
		ok &= fclose(f) == 0;
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

static size_t read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n;
}

/*
 * sim_state_open(DIR) in a child without a controlling terminal, stdin at
 * EOF: its error into ERR, whatever it wrote on stderr into SAID.
 */
static int open_in_child(const char *dir, char *err, size_t errlen, char *said, size_t saidlen)
{
	int errp[2], saidp[2], status;
	pid_t pid;

	if (pipe(errp) < 0 || pipe(saidp) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct sim_state *s;
		int null = open("/dev/null", O_RDONLY);

		alarm(60);      /* a prompt that somehow reads a terminal must not hang the test */
		if (setsid() < 0 || null < 0 || dup2(null, 0) < 0 || dup2(saidp[1], 2) < 0)
			_exit(2);
		s = sim_state_open(dir, err, errlen);
		if (!s && write(errp[1], err, strlen(err)) < 0)
			_exit(2);
		_exit(s ? 0 : 1);
	}
	close(errp[1]);
	close(saidp[1]);
	read_all(errp[0], err, errlen);
	read_all(saidp[0], said, saidlen);
	close(errp[0]);
	close(saidp[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int encrypted_key_refused_without_prompt(void)
{
	char tmpl[] = "/tmp/kettle-sim-enc-XXXXXX", err[256], said[512];

	CHECK(copy_state(tmpl) == 0, "copy of the state");
	CHECK(encrypt_vcek_key(tmpl) == 0, "encrypt vcek.key");
	CHECK(open_in_child(tmpl, err, sizeof(err), said, sizeof(said)) == 1, "encrypted key accepted");
	CHECK(!said[0], "asked for a passphrase: %s", said);
	CHECK(strstr(err, "vcek.key") && strstr(err, "encrypted") && !strchr(err, '\n'), "error: %s", err);
	CHECK(remove_dir(tmpl) == 0, "cleanup");
	return TEST_PASS;
}

static int open_writable_directory_refused(void)
{
	char tmpl[] = "/tmp/kettle-sim-open-XXXXXX", err[256];

	CHECK(mkdtemp(tmpl), "mkdtemp");
	CHECK(chmod(tmpl, 0777) == 0, "chmod");
	CHECK(!sim_state_open(tmpl, err, sizeof(err)), "world-writable state accepted");
	CHECK(strstr(err, "not writable by others"), "error: %s", err);
	CHECK(rmdir(tmpl) == 0, "cleanup");
	return TEST_PASS;
}

static int cleanup(void)
{
	char cmd[256];

	sim_state_close(sim);
	sim = NULL;
	if (!state_dir[0])
		return TEST_PASS;
	/* state_dir is <mkdtemp>/state */
	snprintf(cmd, sizeof(cmd), "rm -rf %.*s", (int)(strlen(state_dir) - strlen("/state")), state_dir);
	CHECK(system(cmd) == 0, "%s", cmd);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "state_directory_is_private", state_directory_is_private },
	{ "certificates_say_not_a_tee", certificates_say_not_a_tee },
	{ "reopening_keeps_the_chain", reopening_keeps_the_chain },
	{ "sim_report_verifies_with_allow_sim", sim_report_verifies_with_allow_sim },
	{ "sim_report_rejected_without_allow_sim", sim_report_rejected_without_allow_sim },
	{ "changed_byte_fails_even_with_allow_sim", changed_byte_fails_even_with_allow_sim },
	{ "sim_chain_does_not_vouch_for_unmarked_reports", sim_chain_does_not_vouch_for_unmarked_reports },
	{ "real_report_with_sim_chain_rejected", real_report_with_sim_chain_rejected },
	{ "corrupt_state_named_in_error", corrupt_state_named_in_error },
	{ "encrypted_key_refused_without_prompt", encrypted_key_refused_without_prompt },
	{ "open_writable_directory_refused", open_writable_directory_refused },
	{ "cleanup", cleanup },
};

TEST_MAIN("sim", tests)
