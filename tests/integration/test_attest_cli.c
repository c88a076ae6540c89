// SPDX-License-Identifier: MIT
/* kettle attest / kettle verify, driven through the binary as a user would. */
#include <fcntl.h>
#include <sys/stat.h>

#include "attest/bundle.h"
#include "attest/x509.h"
#include "common/file_bytes.h"
#include "fake_tsm.h"
#include "kettle_test.h"
#include "test_vectors.h"

#define OUT_MAX (1 << 20)

static char out[OUT_MAX];       /* stdout and stderr of the last run */

static struct fake_tsm *fake_for_child;  /* when set: made for the child's pid before it runs */
static const char *fake_provider, *fake_outblob;
static char fake_root[300];

/*
 * Runs `kettle ARGS...` (NULL-terminated) in CWD (NULL: here); stdout and
 * stderr into OUT; returns the exit code.
 */
static int kettle_in(const char *cwd, const char *const *args)
{
	static const uint64_t gens[] = { 0, 1 };
	char kettle_bin[512], path[300];
	const char *argv[64];
	int n = 0, status, fd, go[2];
	pid_t pid;
	ssize_t r;

	test_path(kettle_bin, sizeof(kettle_bin), "", "kettle");
	argv[n++] = kettle_bin;
	for (int i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	snprintf(path, sizeof(path), "/tmp/kettle-test-%d-out", (int)getpid());
	if (pipe(go))
		return -1;
	pid = fork();
	if (pid == 0) {
		char c;

		close(go[1]);
		/* Wait until the fixture made the configfs entry this pid will ask for. */
		if (read(go[0], &c, 1) != 1)
			_exit(125);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || (cwd && chdir(cwd)))
			_exit(125);
		execv(argv[0], (char *const *)argv);
		_exit(126);
	}
	close(go[0]);
	if (pid > 0 && fake_for_child &&
	    fake_tsm_make(fake_for_child, fake_root, pid, fake_provider, fake_outblob, NULL, gens, 2))
		fprintf(stderr, "  cannot make the fake configfs-tsm entry\n");
	if (write(go[1], "g", 1) != 1)
		fprintf(stderr, "  cannot start kettle\n");
	close(go[1]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	fd = open(path, O_RDONLY);
	r = fd >= 0 ? read(fd, out, sizeof(out) - 1) : -1;
	out[r > 0 ? r : 0] = '\0';
	if (fd >= 0)
		close(fd);
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
}

static int kettle(const char *const *args)
{
	return kettle_in(NULL, args);
}

#define RUN(...) kettle((const char *const[]){ __VA_ARGS__, NULL })
#define HAS(s) (strstr(out, (s)) != NULL)

static char vec[8][4400];

static const char *vp(int slot, const char *name)
{
	snprintf(vec[slot], sizeof(vec[slot]), "%s/%s", test_vectors_dir(), name);
	return vec[slot];
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A bundle around a real vector: its report and certificates, STATEMENT as the statement. */
static int vector_bundle(const char *path, enum bundle_platform platform, const char *report,
			 const char *const *certs, const char *statement)
{
	struct bundle b = { .platform = platform };
	struct x509_list l = { 0 };
	uint8_t *buf;
	size_t len;
	char err[512];
	int r = -1;

	if (file_read_bounded(report, 1 << 20, &buf, &len, err, sizeof(err)))
		goto out;
	if (bundle_set_report(&b, buf, len, err, sizeof(err)) ||
	    bundle_set_statement(&b, (const uint8_t *)statement, strlen(statement), err, sizeof(err))) {
		free(buf);
		goto out;
	}
	free(buf);
	for (int i = 0; certs && certs[i]; i++)
		if (x509_list_add_file(&l, certs[i], err, sizeof(err)) < 0)
			goto out;
	for (size_t i = 0; i < l.n; i++) {
		unsigned char *der = NULL;
		int n = i2d_X509(l.certs[i], &der);
		int bad = n <= 0 || bundle_add_cert(&b, i == 0 ? "vcek" : "ask", der, (size_t)n, err, sizeof(err));

		OPENSSL_free(der);
		if (bad)
			goto out;
	}
	bundle_stamp(&b);
	r = bundle_write_file(&b, path, err, sizeof(err));
out:
	if (r)
		fprintf(stderr, "  vector bundle: %s\n", err);
	x509_list_free(&l);
	bundle_free(&b);
	return r;
}

/* ---- kettle verify --report ---- */

static int test_report_snp_vectors_verify_in_window(void)
{
	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(RUN("verify", "--report", vp(0, "snp/gosev_attestation.bin"), "--certs", vp(1, "snp/gosev_vcek.testcer"),
		  "--certs", vp(2, "snp/gosev_ask_ark_milan.pem"), "--now", "2022-09-24T01:00:00Z") == 0, "%s", out);
	CHECK(HAS("b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01"),
	      "measurement not printed");
	CHECK(HAS("PASS  snp.report.signature") && HAS("OK, all"), "%s", out);
	/* a real AMD report: the hardware state, and nothing calls it simulated */
	CHECK(HAS(": OK, all ") && HAS(" checks passed: verified by hardware (sev-snp evidence)\n") &&
	      !HAS("SIMULATED") && !HAS("simulator"), "not shown as hardware evidence: %s", out);
	CHECK(RUN("verify", "--report", vp(0, "snp/virtee_report_milan.hex"), "--certs", vp(1, "snp/virtee_vcek_milan.der"),
		  "--certs", vp(2, "snp/virtee_cert_chain_milan"), "--now", "1700000000") == 0, "hex report: %s", out);
	CHECK(RUN("verify", "--report", vp(0, "snp/mstav_genoa_attestation_report.bin"), "--certs",
		  vp(1, "snp/mstav_genoa_vcek.pem"), "--certs", vp(2, "snp/mstav_genoa_ask.pem"), "--certs",
		  vp(3, "snp/mstav_genoa_ark.pem"), "--now", "2026-06-01T00:00:00Z", "--json") == 0, "genoa: %s", out);
	CHECK(HAS("\"passed\":true") && HAS("5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f"),
	      "genoa JSON: %.300s", out);
	CHECK(HAS("\"platform\":\"sev-snp\",\"simulated\":false,") && HAS("\"passed\":true,\"evidence\":\"hardware\","),
	      "genoa JSON is not the hardware state: %.300s", out);
	return TEST_PASS;
}

static int test_report_outside_window_fails_on_time(void)
{
	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(RUN("verify", "--report", vp(0, "snp/gosev_attestation.bin"), "--certs", vp(1, "snp/gosev_vcek.testcer"),
		  "--certs", vp(2, "snp/gosev_ask_ark_milan.pem"), "--now", "2030-01-01T00:00:00Z") == 1, "%s", out);
	CHECK(HAS("FAIL  snp.validity.vcek") && HAS("expired"), "%s", out);
	CHECK(HAS(": FAILED, 1 of ") && !HAS("verified by hardware") && !HAS("SIMULATED"), "%s", out);
	CHECK(RUN("verify", "--report", vp(0, "tdx/gotdx_tdx_prod_quote_SPR_E4.dat"), "--now", "2053-07-01T01:00:00Z") == 1,
	      "%s", out);
	CHECK(HAS("FAIL  tdx.pck.leaf.validity"), "%s", out);
	return TEST_PASS;
}

static int test_report_tdx_quotes_verify(void)
{
	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(RUN("verify", "--report", vp(0, "tdx/gotdx_tdx_prod_quote_SPR_E4.dat"), "--now", "2023-07-01T01:00:00Z") == 0,
	      "%s", out);
	CHECK(HAS("6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb"),
	      "MRTD not printed");
	CHECK(HAS("checks passed: verified by hardware (tdx evidence)\n") && !HAS("SIMULATED"), "%s", out);
	CHECK(RUN("verify", "--report", vp(0, "tdx/gotdx_quote_v5_sample.dat"), "--platform", "tdx", "--now",
		  "2026-02-03T01:00:00+00:00") == 0, "%s", out);
	return TEST_PASS;
}

static int test_report_missing_certificate_is_named(void)
{
	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(RUN("verify", "--report", vp(0, "snp/gosev_attestation.bin"), "--now", "2024-01-01T00:00:00Z") == 1, "%s", out);
	CHECK(HAS("kdsintf.amd.com"), "no KDS hint in: %s", out);
	return TEST_PASS;
}

static int test_tdreport_is_not_evidence(void)
{
	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(RUN("verify", "--report", vp(0, "tdx/intel_tdreport_for_test.dat")) == 1, "%s", out);
	CHECK(HAS("PASS  tdx.tdreport.tee_info_hash") && HAS("FAIL  tdx.tdreport.evidence"), "%s", out);
	return TEST_PASS;
}

static int test_unusable_input_exits_125(void)
{
	char dir[256], junk[300];

	test_tmpdir(dir, sizeof(dir), "attest-junk");
	snprintf(junk, sizeof(junk), "%s/junk", dir);
	CHECK(write_text(junk, "hello\n") == 0, "write");
	CHECK(RUN("verify", junk) == 125 && HAS("not a kettle evidence bundle"), "%s", out);
	CHECK(RUN("verify", "/nonexistent/bundle") == 125 && HAS("/nonexistent/bundle"), "%s", out);
	CHECK(RUN("verify", "--report", junk) == 125 && HAS("not an SNP report or TDX quote"), "%s", out);
	CHECK(RUN("verify", junk, "--now", "yesterday") == 125 && HAS("--now 'yesterday'"), "%s", out);
	CHECK(RUN("verify", junk, "--nonce", "12") == 125 && HAS("--nonce"), "%s", out);
	CHECK(RUN("verify") == 125, "no argument accepted");
	CHECK(RUN("verify", "--help") == 0 && HAS("--allow-sim"), "help");
	return TEST_PASS;
}

/* ---- kettle verify BUNDLE with real vectors ---- */

static int test_vector_bundle_platform_passes_binding_fails(void)
{
	const char *certs[] = { vp(1, "snp/gosev_vcek.testcer"), vp(2, "snp/gosev_ask_ark_milan.pem"), NULL };
	char dir[256], b[300];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	test_tmpdir(dir, sizeof(dir), "attest-vb");
	snprintf(b, sizeof(b), "%s/snp.bundle", dir);
	CHECK(vector_bundle(b, PLATFORM_SEV_SNP, vp(0, "snp/gosev_attestation.bin"), certs,
			    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[]}") == 0, "bundle");
	CHECK(RUN("verify", b, "--now", "2024-01-01T00:00:00Z") == 1, "%s", out);
	CHECK(HAS("PASS  snp.report.signature") && HAS("PASS  snp.chain.ark"), "platform checks: %s", out);
	CHECK(HAS("FAIL  binding.statement") && HAS("not the one attested"), "%s", out);
	CHECK(HAS("PASS  statement.format"), "%s", out);
	CHECK(RUN("verify", b, "--now", "2024-01-01T00:00:00Z", "--json") == 1, "%s", out);
	CHECK(HAS("\"simulated\":false,") && HAS("\"passed\":false,\"evidence\":\"failed\","), "%.300s", out);
	return TEST_PASS;
}

static int test_vector_bundle_tdx_and_policy(void)
{
	char dir[256], b[300], pol[300];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	test_tmpdir(dir, sizeof(dir), "attest-vt");
	snprintf(b, sizeof(b), "%s/tdx.bundle", dir);
	snprintf(pol, sizeof(pol), "%s/policy.json", dir);
	CHECK(vector_bundle(b, PLATFORM_TDX, vp(0, "tdx/gotdx_tdx_prod_quote_SPR_E4.dat"), NULL, "{}") == 0, "bundle");
	CHECK(write_text(pol, "{\"allowed_platforms\": [\"tdx\"], \"tdx\": {\"mrtd\": "
			 "[\"6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb\"],"
			 " \"rtmr3\": [\"" "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
			 "0000000000000001\"]}}") == 0, "policy");
	CHECK(RUN("verify", b, "--now", "2023-07-01T01:00:00Z", "--policy", pol) == 1, "%s", out);
	CHECK(HAS("PASS  tdx.quote.signature") && HAS("PASS  policy.tdx.mrtd") && HAS("PASS  policy.platform"), "%s", out);
	CHECK(HAS("FAIL  policy.tdx.rtmr3") && HAS("FAIL  binding.statement") && HAS("FAIL  statement.format"), "%s", out);
	CHECK(write_text(pol, "{\"tdx\": {\"mrtdd\": []}}") == 0, "policy");
	CHECK(RUN("verify", b, "--policy", pol) == 125 && HAS("unknown key 'tdx.mrtdd'"), "%s", out);
	return TEST_PASS;
}

/* ---- kettle attest ---- */

static char sim_dir[256];

/* One simulator state for the whole program: its RSA-4096 keys take seconds to make. */
static const char *sim_state(void)
{
	if (!sim_dir[0])
		snprintf(sim_dir, sizeof(sim_dir), "/tmp/kettle-test-%d-sim", (int)getpid());
	return sim_dir;
}

/* A statement naming FILE (by its sha256) as its subject. */
static int statement_for(const char *path, const char *file)
{
	char cmd[1200], hex[65] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", file);
	p = popen(cmd, "r");
	if (!p || fscanf(p, "%64s", hex) != 1 || pclose(p) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"%s\","
		 "\"digest\":{\"sha256\":\"%s\"}}]}", file, hex);
	return write_text(path, cmd);
}

static int flip_statement_byte(const char *from, const char *to)
{
	struct bundle b;
	char err[512];
	int r;

	if (bundle_read_file(from, &b, err, sizeof(err)))
		return -1;
	b.statement[b.statement_len / 2] ^= 0x01;
	r = bundle_write_file(&b, to, err, sizeof(err));
	bundle_free(&b);
	return r;
}

#define NONCE_A "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define NONCE_B "ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static int test_sim_attest_verify_and_tamper(void)
{
	char dir[256], st[300], b[300], bad[300], art[300];

	test_tmpdir(dir, sizeof(dir), "attest-sim");
	snprintf(st, sizeof(st), "%s/statement.json", dir);
	snprintf(b, sizeof(b), "%s/evidence.bundle", dir);
	snprintf(bad, sizeof(bad), "%s/tampered.bundle", dir);
	snprintf(art, sizeof(art), "%s/artifact", dir);
	CHECK(write_text(art, "the artifact\n") == 0 && statement_for(st, art) == 0, "statement");
	CHECK(RUN("attest", st, "--tee", "sim", "--sim-state", sim_state(), "--nonce", NONCE_A, "-o", b) == 0, "%s", out);
	CHECK(HAS("SIMULATED"), "attest did not say SIMULATED: %s", out);

	CHECK(RUN("verify", b, "--allow-sim", "--artifact", art, "--nonce", NONCE_A) == 0, "%s", out);
	CHECK(HAS("PASS  binding.statement") && HAS("PASS  binding.artifact") && HAS("PASS  binding.nonce") &&
	      HAS("SIMULATED"), "%s", out);
	/* its own state on the summary line: not OK, not hardware, and why */
	CHECK(HAS("/evidence.bundle: SIMULATED, all ") && HAS("checks passed, but the evidence comes from Kettle's "
	      "software simulator: it proves nothing about a machine\n") && !HAS(": OK, all") &&
	      !HAS("verified by hardware"), "the summary is not the SIMULATED state: %s", out);
	CHECK(RUN("verify", b, "--allow-sim", "--artifact", art, "--json") == 0, "%s", out);
	CHECK(HAS("\"platform\":\"sim-sev-snp\",\"simulated\":true,") &&
	      HAS("\"passed\":true,\"evidence\":\"simulated\","), "JSON: %.400s", out);

	CHECK(RUN("verify", b, "--artifact", art) == 1, "simulated evidence passed without --allow-sim: %s", out);
	CHECK(HAS("FAIL  snp.simulated") && HAS("SIMULATED"), "%s", out);
	CHECK(HAS(": FAILED, 1 of ") && HAS("(first: snp.simulated) -- SIMULATED evidence\n"), "%s", out);
	CHECK(RUN("verify", b, "--artifact", art, "--json") == 1, "%s", out);
	CHECK(HAS("\"simulated\":true,") && HAS("\"passed\":false,\"evidence\":\"failed\","), "JSON: %.400s", out);

	CHECK(RUN("verify", b, "--allow-sim", "--nonce", NONCE_B) == 1 && HAS("FAIL  binding.nonce"), "%s", out);

	CHECK(flip_statement_byte(b, bad) == 0, "tamper");
	CHECK(RUN("verify", bad, "--allow-sim") == 1, "%s", out);
	CHECK(HAS("FAIL  binding.statement") && HAS("not the one attested") && HAS("PASS  snp.report.signature"), "%s", out);

	CHECK(write_text(art, "the artifact, changed\n") == 0, "change artifact");
	CHECK(RUN("verify", b, "--allow-sim", "--artifact", art) == 1, "%s", out);
	CHECK(HAS("FAIL  binding.artifact") && HAS("no subject's digest"), "%s", out);
	return TEST_PASS;
}

static int test_relabelled_sim_bundle_fails(void)
{
	char dir[256], st[300], b[300];
	struct bundle bb;
	char err[512];

	test_tmpdir(dir, sizeof(dir), "attest-relabel");
	snprintf(st, sizeof(st), "%s/statement.json", dir);
	snprintf(b, sizeof(b), "%s/evidence.bundle", dir);
	CHECK(write_text(st, "{}") == 0, "statement");
	CHECK(RUN("attest", st, "--tee", "sim", "--sim-state", sim_state(), "-o", b) == 0, "%s", out);
	CHECK(bundle_read_file(b, &bb, err, sizeof(err)) == 0, "%s", err);
	bb.platform = PLATFORM_SEV_SNP;
	bb.simulated = false;
	CHECK(bundle_write_file(&bb, b, err, sizeof(err)) == 0, "%s", err);
	bundle_free(&bb);
	CHECK(RUN("verify", b, "--allow-sim") == 1, "%s", out);
	CHECK(HAS("FAIL  bundle.platform") && HAS("the SIMULATOR"), "%s", out);
	/* labelled sev-snp, but the simulator signed: still called simulated */
	CHECK(HAS("(first: bundle.platform) -- SIMULATED evidence\n") && !HAS("verified by hardware"), "%s", out);
	return TEST_PASS;
}

static int test_auto_without_tee_falls_back_loudly(void)
{
	char dir[256], st[300], b[300];

	test_tmpdir(dir, sizeof(dir), "attest-auto");
	snprintf(st, sizeof(st), "%s/statement.json", dir);
	snprintf(b, sizeof(b), "%s/evidence.bundle", dir);
	CHECK(write_text(st, "{}") == 0, "statement");
	CHECK(RUN("attest", st, "--tee", "auto", "--tsm-root", "/nonexistent/tsm", "--sev-device", "/nonexistent/sev",
		  "--tdx-device", "/nonexistent/tdx", "--sim-state", sim_state(), "-o", b, "--json") == 0, "%s", out);
	CHECK(HAS("NOTICE: no TEE found") && HAS("SOFTWARE SIMULATOR"), "no loud notice: %s", out);
	CHECK(HAS("\"simulated\":true") && HAS("\"platform\":\"sim-sev-snp\""), "%s", out);
	return TEST_PASS;
}

static int test_missing_tee_is_an_error(void)
{
	char dir[256], st[300], b[300], notdev[300];

	test_tmpdir(dir, sizeof(dir), "attest-notee");
	snprintf(st, sizeof(st), "%s/statement.json", dir);
	snprintf(b, sizeof(b), "%s/evidence.bundle", dir);
	snprintf(notdev, sizeof(notdev), "%s/not-a-device", dir);
	CHECK(write_text(st, "{}") == 0 && write_text(notdev, "") == 0, "files");
	CHECK(RUN("attest", st, "--tee", "snp", "--tsm-root", "/nonexistent/tsm", "--sev-device", "/nonexistent/sev",
		  "-o", b) == 125, "%s", out);
	CHECK(HAS("no SEV-SNP guest interface") && access(b, F_OK) != 0, "%s", out);
	CHECK(RUN("attest", st, "--tee", "snp", "--tsm-root", "/nonexistent/tsm", "--sev-device", notdev, "-o", b) == 125,
	      "%s", out);
	CHECK(HAS("SNP_GET_REPORT failed") && HAS(notdev), "%s", out);
	CHECK(RUN("attest", st, "--tee", "tdx", "--tsm-root", "/nonexistent/tsm", "--tdx-device", notdev, "-o", b) == 125,
	      "%s", out);
	CHECK(HAS("TDX_CMD_GET_REPORT0") && HAS(notdev), "%s", out);
	CHECK(RUN("attest", st, "--tee", "sgx", "-o", b) == 125 && HAS("--tee: 'sgx'"), "%s", out);
	CHECK(RUN("attest", "/nonexistent/statement", "--tee", "sim", "-o", b) == 125 && HAS("/nonexistent/statement"),
	      "%s", out);
	return TEST_PASS;
}

static int test_attest_through_fake_configfs(void)
{
	struct fake_tsm t;
	char dir[256], st[300], b[300];
	int rc;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	test_tmpdir(dir, sizeof(dir), "attest-tsm");
	snprintf(st, sizeof(st), "%s/statement.json", dir);
	snprintf(b, sizeof(b), "%s/evidence.bundle", dir);
	snprintf(fake_root, sizeof(fake_root), "%s/tsm", dir);
	CHECK(write_text(st, "{}") == 0, "statement");
	fake_for_child = &t;
	fake_provider = "sev_guest";
	fake_outblob = vp(0, "snp/gosev_attestation.bin");
	rc = RUN("attest", st, "--tee", "snp", "--tsm-root", fake_root, "-o", b);
	fake_tsm_destroy(&t);
	/* The vector's report_data is not our statement's digest: caught before a bundle is written. */
	CHECK(rc == 125 && HAS("report_data (0102030405") && HAS("not the one requested"), "rc %d: %s", rc, out);
	CHECK(access(b, F_OK) != 0, "a bundle was written");

	fake_provider = "sev_guest";
	rc = RUN("attest", st, "--tee", "tdx", "--tsm-root", fake_root, "-o", b);
	fake_tsm_destroy(&t);
	fake_for_child = NULL;
	CHECK(rc == 125 && HAS("provider 'sev_guest' is not tdx_guest"), "rc %d: %s", rc, out);
	return TEST_PASS;
}

/* ---- end to end: a traced build of tests/sample, attested and verified ---- */

static int test_run_provenance_attest_verify(void)
{
	char dir[256], src[300], log[300], prov[300], b[300], bad[300], hello[400], cmd[9000], sample[4096];
	int r = bpf_usable();

	if (r)
		return r;
	test_tmpdir(dir, sizeof(dir), "attest-e2e");
	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(log, sizeof(log), "%s/build.cbor", dir);
	snprintf(prov, sizeof(prov), "%s/provenance.json", dir);
	snprintf(b, sizeof(b), "%s/evidence.bundle", dir);
	snprintf(bad, sizeof(bad), "%s/tampered.bundle", dir);
	snprintf(hello, sizeof(hello), "%s/hello", src);
	CHECK(realpath("tests/sample", sample), "tests/sample");
	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s' && make -s -C '%s' clean", sample, src, src);
	CHECK(system(cmd) == 0, "cannot prepare %s", src);
	CHECK(kettle_in(src, (const char *const[]){ "run", "--no-progress", "-o", log, "--provenance", prov,
		  "--attest", b, "--tee", "sim", "--sim-state", sim_state(), "--", "make", NULL }) == 0, "%s", out);
	CHECK(HAS("SIMULATED"), "kettle run did not say SIMULATED: %s", out);
	CHECK(RUN("verify", "--allow-sim", "--artifact", hello, b) == 0, "%s", out);
	CHECK(HAS("PASS  binding.artifact") && HAS("is subject"), "%s", out);
	/* the run's provenance signed by the session key its evidence binds, beside the bundle */
	snprintf(cmd, sizeof(cmd), "%s.sigstore.json", b);
	CHECK(RUN("verify", "--allow-sim", "--artifact", hello, "--sigstore-bundle", cmd, b) == 0, "%s", out);
	CHECK(HAS("PASS  binding.key") && HAS("PASS  envelope.signature") && HAS("PASS  envelope.statement"), "%s", out);

	CHECK(RUN("verify", "--artifact", hello, b) == 1 && HAS("FAIL  snp.simulated"), "%s", out);
	CHECK(flip_statement_byte(b, bad) == 0, "tamper");
	CHECK(RUN("verify", "--allow-sim", "--artifact", hello, bad) == 1 && HAS("FAIL  binding.statement"), "%s", out);
	snprintf(cmd, sizeof(cmd), "printf x >> '%s'", hello);
	CHECK(system(cmd) == 0, "cannot change %s", hello);
	CHECK(RUN("verify", "--allow-sim", "--artifact", hello, b) == 1 && HAS("FAIL  binding.artifact"), "%s", out);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "report_snp_vectors_verify_in_window", test_report_snp_vectors_verify_in_window },
	{ "report_outside_window_fails_on_time", test_report_outside_window_fails_on_time },
	{ "report_tdx_quotes_verify", test_report_tdx_quotes_verify },
	{ "report_missing_certificate_is_named", test_report_missing_certificate_is_named },
	{ "tdreport_is_not_evidence", test_tdreport_is_not_evidence },
	{ "unusable_input_exits_125", test_unusable_input_exits_125 },
	{ "vector_bundle_platform_passes_binding_fails", test_vector_bundle_platform_passes_binding_fails },
	{ "vector_bundle_tdx_and_policy", test_vector_bundle_tdx_and_policy },
	{ "sim_attest_verify_and_tamper", test_sim_attest_verify_and_tamper },
	{ "relabelled_sim_bundle_fails", test_relabelled_sim_bundle_fails },
	{ "auto_without_tee_falls_back_loudly", test_auto_without_tee_falls_back_loudly },
	{ "missing_tee_is_an_error", test_missing_tee_is_an_error },
	{ "attest_through_fake_configfs", test_attest_through_fake_configfs },
	{ "run_provenance_attest_verify", test_run_provenance_attest_verify },
};

static void cleanup(void)
{
	char cmd[300];

	if (sim_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sim_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", sim_dir);
	}
}

int main(void)
{
	int r = test_main("attest_cli", tests, sizeof(tests) / sizeof(tests[0]));

	cleanup();
	return r;
}
