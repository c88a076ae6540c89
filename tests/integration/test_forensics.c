// SPDX-License-Identifier: MIT
/*
 * The forensic commands on real traced builds: a small C project built with
 * make, then built again after one header changed.  What a user asks: why is
 * the binary what it is, what changed between the builds, who read the
 * header, a trace for Perfetto, a report page that loads in a browser.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include "attest/bundle.h"
#include "attest/report_data.h"
#include "attest/sim.h"
#include "attest/x509.h"
#include "forensics/replay.h"
#include "forensics/report_html.h"
#include "kettle_test.h"

static char proj[300], log_a[300], log_b[300];
static bool built, build_failed;

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int write_project(const char *factor)
{
	char header[128];

	snprintf(header, sizeof(header), "#define FACTOR %s\nint greet(int n);\n", factor);
	return write_file(proj, "greet.h", header) ||
	       write_file(proj, "greet.c", "#include <stdio.h>\n#include \"greet.h\"\n"
			  "int greet(int n) { return printf(\"%d\\n\", n * FACTOR) < 0; }\n") ||
	       write_file(proj, "main.c", "#include \"greet.h\"\n"
			  "int main(void) { return greet(FACTOR + 1); }\n") ||
	       write_file(proj, "Makefile", "app: main.o greet.o\n\tcc -o app main.o greet.o\n"
			  "%.o: %.c greet.h\n\tcc -c $< -o $@\n"
			  "fetched.txt:\n\tbash -c 'exec 3<>/dev/tcp/127.0.0.1/$(PORT) && echo got > $@'\n");
}

/* Both builds, once for every test: A with FACTOR 3, B with FACTOR 5 (make rebuilds both objects). */
static int builds(void)
{
	const char *cmd[] = { "make", "-s", "-C", proj, NULL };
	char dir[256], log[300];
	int rc = bpf_usable();

	if (rc)
		return rc;
	if (built)
		return build_failed ? test_skip("the builds failed in an earlier test") : TEST_PASS;
	built = build_failed = true;
	test_workdir("forensics", dir, log);
	snprintf(proj, sizeof(proj), "%s/proj", dir);
	snprintf(log_a, sizeof(log_a), "%s/a.cbor", dir);
	snprintf(log_b, sizeof(log_b), "%s/b.cbor", dir);
	CHECK(!mkdir(proj, 0755) && !write_project("3"), "cannot write the project");
	CHECK(kettle_run(log_a, NULL, cmd, "/dev/null") == 0, "first build failed");
	sleep(1);       /* make compares mtimes at one-second granularity on some file systems */
	CHECK(!write_project("5"), "cannot change the header");
	CHECK(kettle_run(log_b, NULL, cmd, "/dev/null") == 0, "second build failed");
	build_failed = false;
	return TEST_PASS;
}

struct output {
	int status;
	char *out, *err;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int c;

	if (!mem) {
		if (f)
			fclose(f);
		return NULL;
	}
	while (f && (c = fgetc(f)) != EOF)
		fputc(c, mem);
	if (f)
		fclose(f);
	fclose(mem);
	return buf;
}

/* Runs kettle with ARGS (NULL-terminated); captures its stdout and stderr. */
static int kettle_cmd(struct output *o, const char *const args[])
{
	char kettle[512], out[64], err[64];
	const char *argv[32];
	int status, n = 0;
	pid_t pid;

	test_path(kettle, sizeof(kettle), "", "kettle");
	snprintf(out, sizeof(out), "/tmp/kettle-forensics-%d.out", (int)getpid());
	snprintf(err, sizeof(err), "/tmp/kettle-forensics-%d.err", (int)getpid());
	argv[n++] = kettle;
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(125);
		execv(kettle, (char *const *)argv);
		_exit(125);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	o->status = WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
	o->out = slurp(out);
	o->err = slurp(err);
	unlink(out);
	unlink(err);
	return o->out && o->err ? 0 : -1;
}

static void output_free(struct output *o)
{
	free(o->out);
	free(o->err);
}

/* Line N (from 0) of TEXT, copied into LINE. */
static const char *nth_line(const char *text, int n, char *line, size_t len)
{
	for (; n > 0 && text; n--) {
		text = strchr(text, '\n');
		if (text)
			text++;
	}
	if (!text)
		return "";
	snprintf(line, len, "%.*s", (int)strcspn(text, "\n"), text);
	return line;
}

/*
 * PAGE opened in headless Chromium by tests/browser/check_report, into
 * BASE.{dom,png,console,styles}: TEST_PASS, TEST_SKIP without Chromium, or TEST_FAIL.
 */
static int render(const char *page, const char *base)
{
	char cmd[1300];
	int status;

	snprintf(cmd, sizeof(cmd), "tests/browser/check_report '%s' '%s'", page, base);
	status = system(cmd);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		return test_skip("chromium is not installed (tools/install-deps installs it)");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "  check_report %s failed (%d)\n", page, status);
		return TEST_FAIL;
	}
	return TEST_PASS;
}

/* Column COL of element ID's line in a BASE.styles capture (1 colour, 2 background, 3 shown, 4 text), or "". */
static const char *seen(const char *styles, const char *id, int col, char *buf, size_t len)
{
	size_t idlen = strlen(id);

	buf[0] = '\0';
	for (const char *l = styles; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *f = l;

		if (strncmp(l, id, idlen) || l[idlen] != '\t')
			continue;
		for (int i = 0; i < col && f; i++) {
			f += strcspn(f, "\t\n");
			f = *f == '\t' ? f + 1 : NULL;
		}
		if (f)
			snprintf(buf, len, "%.*s", (int)strcspn(f, "\t\n"), f);
		break;
	}
	return buf;
}

#define GREEN "rgb(0, 136, 0)"          /* .ok: the colour of a verified, a matching, a complete */

static int why_reaches_the_changed_header(void)
{
	const char *args[] = { "why", log_b, "app", NULL };
	const char *jargs[] = { "why", log_b, "app", "--json", NULL };
	char header[400], app[400];
	struct output o;
	json_error_t jerr;
	json_t *j;
	int rc = builds();

	if (rc)
		return rc;
	snprintf(header, sizeof(header), "%s/greet.h  [source sha256:", proj);
	snprintf(app, sizeof(app), "%s/app  [output", proj);
	CHECK(!kettle_cmd(&o, args), "kettle why did not run");
	CHECK(o.status == 0, "exit %d: %s", o.status, o.err);
	CHECK(!strncmp(o.out, app, strlen(app)), "the tree starts elsewhere: %.200s", o.out);
	CHECK(strstr(o.out, header), "the changed header is not in the lineage:\n%s", o.out);
	CHECK(strstr(o.out, "/main.o  [intermediate") && strstr(o.out, "/greet.o  [intermediate"),
	      "the objects are not in the lineage");
	CHECK(strstr(o.out, "/cc1  [executed"), "the compiler is not in the lineage");
	output_free(&o);
	CHECK(!kettle_cmd(&o, jargs) && o.status == 0, "kettle why --json failed: %s", o.err);
	j = json_loads(o.out, 0, &jerr);
	CHECK(j, "why --json is not JSON: %s", jerr.text);
	CHECK(json_array_size(json_object_get(j, "writers")) >= 1, "no writers of app");
	CHECK(json_integer_value(json_object_get(json_object_get(j, "summary"), "sources")) > 2,
	      "sources not counted");
	json_decref(j);
	output_free(&o);
	return TEST_PASS;
}

static int diff_names_the_header_and_objects_first(void)
{
	const char *args[] = { "diff", log_a, log_b, NULL };
	char line[4096], first[8192] = "";
	struct output o;
	int rc = builds();

	if (rc)
		return rc;
	CHECK(!kettle_cmd(&o, args), "kettle diff did not run");
	CHECK(o.status == 1, "exit %d (1: the builds differ): %s", o.status, o.err);
	CHECK(strstr(nth_line(o.out, 1, line, sizeof(line)), "changed inputs"), "line 2: %s", line);
	CHECK(strstr(nth_line(o.out, 2, line, sizeof(line)), "./greet.h") ||
	      strstr(line, "/proj/greet.h"), "the first cause is not the header: %s\n%s", line, o.out);
	for (int i = 0; i < 14; i++) {
		strncat(first, nth_line(o.out, i, line, sizeof(line)), sizeof(first) - strlen(first) - 2);
		strcat(first, "\n");
	}
	CHECK(strstr(first, "main.o") && strstr(first, "greet.o"),
	      "the objects are not named in the first lines:\n%s", first);
	CHECK(strstr(first, "because ./greet.h changed") || strstr(first, "greet.h changed"),
	      "the objects are not explained by the header:\n%s", first);
	output_free(&o);
	return TEST_PASS;
}

static int diff_json_and_identical_builds(void)
{
	const char *args[] = { "diff", log_a, log_a, "--json", NULL };
	const char *jargs[] = { "diff", log_a, log_b, "--json", NULL };
	struct output o;
	json_error_t jerr;
	json_t *j, *in;
	int rc = builds();

	if (rc)
		return rc;
	CHECK(!kettle_cmd(&o, args), "kettle diff did not run");
	CHECK(o.status == 0, "a log against itself: exit %d", o.status);
	output_free(&o);
	CHECK(!kettle_cmd(&o, jargs) && o.status == 1, "kettle diff --json: %s", o.err);
	j = json_loads(o.out, 0, &jerr);
	CHECK(j, "diff --json is not JSON: %s", jerr.text);
	in = json_array_get(json_object_get(j, "inputs"), 0);
	CHECK(in && strstr(json_string_value(json_object_get(in, "path")), "greet.h"),
	      "first input is not the header");
	CHECK(json_array_size(json_object_get(j, "outputs")) >= 2, "too few changed outputs");
	json_decref(j);
	output_free(&o);
	return TEST_PASS;
}

static int who_lists_both_compiles(void)
{
	const char *args[] = { "who", log_b, "greet.h", NULL };
	struct output o;
	int rc = builds();

	if (rc)
		return rc;
	CHECK(!kettle_cmd(&o, args) && o.status == 0, "kettle who failed: %s", o.err);
	CHECK(strstr(o.out, " read ") && strstr(o.out, "main.c") && strstr(o.out, "greet.c"),
	      "who does not list both compiler runs:\n%s", o.out);
	output_free(&o);
	return TEST_PASS;
}

static int replay_at_the_end_has_the_binary(void)
{
	const char *args[] = { "replay", log_b, "--at", "end", NULL };
	const char *start[] = { "replay", log_b, "--at", "0", NULL };
	struct output o;
	int rc = builds();

	if (rc)
		return rc;
	CHECK(!kettle_cmd(&o, args) && o.status == 0, "kettle replay failed: %s", o.err);
	CHECK(strstr(o.out, "/app  [output]"), "the binary is not written at the end:\n%s", o.out);
	output_free(&o);
	CHECK(!kettle_cmd(&o, start) && o.status == 0, "kettle replay failed: %s", o.err);
	CHECK(strstr(o.out, "0 files written so far"), "files written at the start:\n%s", o.out);
	output_free(&o);
	return TEST_PASS;
}

static int perfetto_trace_has_a_track_per_process(void)
{
	char trace[320];
	const char *args[] = { "export", log_b, "--format", "perfetto", "-o", trace, NULL };
	struct log_file f = { 0 };
	struct replay r;
	json_error_t jerr;
	json_t *j, *ev;
	size_t tracks = 0, cc1 = 0, header_reads = 0, i;
	char err[256];
	struct output o;
	int rc = builds();

	if (rc)
		return rc;
	snprintf(trace, sizeof(trace), "%s.trace.json", log_b);
	CHECK(!kettle_cmd(&o, args) && o.status == 0, "kettle export failed: %s", o.err);
	output_free(&o);
	j = json_load_file(trace, 0, &jerr);
	CHECK(j, "the trace is not JSON: %s (line %d)", jerr.text, jerr.line);
	json_array_foreach(json_object_get(j, "traceEvents"), i, ev) {
		const char *ph = json_string_value(json_object_get(ev, "ph"));
		const char *name = json_string_value(json_object_get(ev, "name"));
		const char *path = json_string_value(json_object_get(json_object_get(ev, "args"), "path"));

		tracks += !strcmp(ph, "M") && !strcmp(name, "process_name") &&
			  json_integer_value(json_object_get(ev, "pid")) > 0;
		cc1 += !strcmp(ph, "X") && !strcmp(name, "cc1");
		header_reads += !strcmp(ph, "i") && !strcmp(name, "read") && path &&
				strstr(path, "/proj/greet.h");
	}
	json_decref(j);
	CHECK(log_load(log_b, &f) == 0, "log unreadable");
	CHECK(!replay_build(&r, &f, err, sizeof(err)), "%s", err);
	CHECK(tracks == r.nprocs, "%zu tracks for %u processes", tracks, r.nprocs);
	CHECK(cc1 == 2, "%zu cc1 spans (one per compile)", cc1);
	CHECK(header_reads >= 2, "%zu reads of the header", header_reads);
	replay_free(&r);
	log_file_free(&f);
	return TEST_PASS;
}

/* tests/browser/check_report loads the page in headless Chromium: DOM after scripts, screenshot, console. */
static int report_loads_in_chromium(void)
{
	char page[600], base[512], dom_path[600], console_path[600], want[64];
	const char *args[] = { "report", log_b, "-o", page, NULL };
	struct log_file f = { 0 };
	struct replay r;
	struct output o;
	char err[256], *dom, *console;
	int rc = builds();

	if (rc)
		return rc;
	test_path(base, sizeof(base), "tests", "forensics-report");
	snprintf(page, sizeof(page), "%s.html", base);
	CHECK(!kettle_cmd(&o, args) && o.status == 0, "kettle report failed: %s", o.err);
	output_free(&o);
	rc = render(page, base);
	if (rc)
		return rc;
	snprintf(dom_path, sizeof(dom_path), "%s.dom", base);
	snprintf(console_path, sizeof(console_path), "%s.console", base);
	dom = slurp(dom_path);
	console = slurp(console_path);
	CHECK(dom && console, "no DOM or console capture");
	CHECK(!console[0], "console messages:\n%s", console);
	CHECK(log_load(log_b, &f) == 0, "log unreadable");
	CHECK(!replay_build(&r, &f, err, sizeof(err)), "%s", err);
	snprintf(want, sizeof(want), ">%u processes;", r.nprocs);
	CHECK(strstr(dom, want), "the timeline script did not report %u processes", r.nprocs);
	CHECK(strstr(dom, "<svg") && strstr(dom, "cc1"), "no timeline drawn");
	CHECK(strstr(dom, "/proj/app<") && strstr(dom, "/proj/main.o<") && strstr(dom, "/proj/greet.o<"),
	      "artifacts missing from the page");
	CHECK(strstr(dom, "Complete: nothing lost"), "completeness verdict missing");
	CHECK(!strstr(dom, "id=\"evidence-state\"") && !strstr(dom, "id=\"attestation\""),
	      "an evidence state on a page without --bundle");
	replay_free(&r);
	log_file_free(&f);
	free(dom);
	free(console);
	return TEST_PASS;
}

/* A simulated SEV-SNP bundle around STATEMENT (the simulator's state under DIR). */
static int sim_bundle(const char *dir, const char *statement_path, const char *out)
{
	static const char *const roles[] = { "vcek", "ask", "ark" };
	struct bundle b = { .platform = PLATFORM_SIM_SEV_SNP, .simulated = true };
	uint8_t rd[REPORT_DATA_LEN], report[SNP_REPORT_SIZE];
	struct x509_list certs = { 0 };
	struct sim_state *st = NULL;
	char err[512], simdir[600];
	char *statement = slurp(statement_path);
	int r = -1;

	snprintf(simdir, sizeof(simdir), "%s/sim", dir);
	if (!statement || report_data_make((const uint8_t *)statement, strlen(statement), NULL, rd) ||
	    !(st = sim_state_open(simdir, err, sizeof(err))) ||
	    sim_report(st, rd, report, &certs, err, sizeof(err)) ||
	    bundle_set_report(&b, report, sizeof(report), err, sizeof(err)) ||
	    bundle_set_statement(&b, (const uint8_t *)statement, strlen(statement), err, sizeof(err)))
		goto out;
	for (size_t i = 0; i < certs.n && i < 3; i++) {
		unsigned char *der = NULL;
		int n = i2d_X509(certs.certs[i], &der);
		int bad = n <= 0 || bundle_add_cert(&b, roles[i], der, (size_t)n, err, sizeof(err));

		OPENSSL_free(der);
		if (bad)
			goto out;
	}
	bundle_stamp(&b);
	r = bundle_write_file(&b, out, err, sizeof(err));
out:
	if (r)
		fprintf(stderr, "  sim bundle: %s\n", err);
	if (st)
		sim_state_close(st);
	x509_list_free(&certs);
	bundle_free(&b);
	free(statement);
	return r;
}

static int report_shows_the_attestation_verdict(void)
{
	char dir[300], stmt[320], bundle[320], page[320], other[320], app[320], base[512], styles_path[600];
	char col[400], *styles;
	const char *prov[] = { "provenance", log_b, "-o", stmt, "--subject", app, NULL };
	const char *with_sim[] = { "report", log_b, "--bundle", bundle, "--allow-sim", "-o", page, NULL };
	const char *without[] = { "report", log_b, "--bundle", bundle, "-o", page, NULL };
	const char *wrong_log[] = { "report", log_a, "--bundle", bundle, "--allow-sim", "-o", other, NULL };
	const char *garbage[] = { "report", log_b, "--bundle", stmt, "-o", page, NULL };
	struct output o;
	char *html;
	int rc = builds();

	if (rc)
		return rc;
	snprintf(dir, sizeof(dir), "%s", log_b);
	*strrchr(dir, '/') = '\0';
	snprintf(stmt, sizeof(stmt), "%s/statement.json", dir);
	snprintf(bundle, sizeof(bundle), "%s/evidence.bundle", dir);
	snprintf(page, sizeof(page), "%s/attested.html", dir);
	snprintf(other, sizeof(other), "%s/other.html", dir);
	snprintf(app, sizeof(app), "%s/app", proj);
	CHECK(!kettle_cmd(&o, prov) && o.status == 0, "kettle provenance: %s", o.err);
	output_free(&o);
	CHECK(!sim_bundle(dir, stmt, bundle), "cannot make a simulated bundle");

	CHECK(!kettle_cmd(&o, with_sim), "run");
	CHECK(o.status == 0, "a simulated bundle with --allow-sim: exit %d: %s", o.status, o.err);
	CHECK(strstr(o.err, "is SIMULATED") && strstr(o.err, "proves nothing about a machine") &&
	      !strstr(o.err, "verified by hardware"), "kettle report does not say SIMULATED:\n%s", o.err);
	output_free(&o);
	html = slurp(page);
	CHECK(html && strstr(html, "<p id=attestation class=\"state sim\"><span class=\"badge sim\">SIMULATED"),
	      "the page does not show the amber SIMULATED state");
	CHECK(strstr(html, "id=evidence-state class=\"badge sim\">SIMULATED") &&
	      strstr(html, "Kettle's software simulator, which proves nothing about a machine"),
	      "the summary does not show the SIMULATED state and its reason");
	/* nothing about simulated evidence is drawn in the green of a verified one */
	CHECK(!strstr(html, "class=ok>PASS<") && strstr(html, "class=sim>PASS<") &&
	      !strstr(html, "VERIFIED BY HARDWARE"), "simulated checks shown as verified");
	CHECK(strstr(html, "subjects match the log") && strstr(html, "class=ok>matches the log"),
	      "the bundle's statement is not checked against the log");
	free(html);
	snprintf(base, sizeof(base), "%s/attested", dir);
	snprintf(styles_path, sizeof(styles_path), "%s.styles", base);
	rc = render(page, base);
	if (rc)
		return rc;
	styles = slurp(styles_path);
	CHECK(styles && styles[0], "no styles captured");
	CHECK(!strcmp(seen(styles, "evidence-state", 3, col, sizeof(col)), "shown") &&
	      !strcmp(seen(styles, "evidence-state", 4, col, sizeof(col)), "SIMULATED") &&
	      !strcmp(seen(styles, "evidence-state", 2, col, sizeof(col)), "rgb(255, 191, 0)"),
	      "the summary's state is not an amber SIMULATED: %s", col);
	CHECK(strstr(seen(styles, "attestation", 4, col, sizeof(col)), "SIMULATED Every check passed, but") &&
	      strstr(col, "proves nothing about a machine"), "the verdict a reader sees: %s", col);
	CHECK(strcmp(seen(styles, "attestation", 1, col, sizeof(col)), GREEN) &&
	      !strcmp(col, "rgb(154, 87, 0)") &&
	      !strcmp(seen(styles, "attestation", 2, col, sizeof(col)), "rgb(255, 243, 205)"),
	      "the verdict is not drawn in amber: %s", col);
	free(styles);

	CHECK(!kettle_cmd(&o, without), "run");
	CHECK(o.status == 1 && strstr(o.err, "does not verify -- SIMULATED evidence\n") &&
	      !strstr(o.err, "is SIMULATED"), "simulated without --allow-sim: exit %d: %s", o.status, o.err);
	output_free(&o);
	html = slurp(page);
	CHECK(html && strstr(html, "<p id=attestation class=\"state bad\">") && strstr(html, "NOT verified") &&
	      strstr(html, ">FAIL<"), "no failed check shown");
	CHECK(strstr(html, "sim-sev-snp evidence (SIMULATED)"), "a failed simulated bundle not labelled");
	free(html);

	CHECK(!kettle_cmd(&o, wrong_log), "run");
	CHECK(o.status == 1 && strstr(o.err, "provenance subjects do not match the log"),
	      "the other build's log: exit %d: %s", o.status, o.err);
	output_free(&o);

	CHECK(!kettle_cmd(&o, garbage), "run");
	CHECK(o.status == 125 && strstr(o.err, "--bundle") && strstr(o.err, stmt),
	      "not a bundle: exit %d: %s", o.status, o.err);
	output_free(&o);
	return TEST_PASS;
}

/*
 * Evidence that verified on a TEE: green, and nothing on the page says
 * SIMULATED.  No machine here makes such evidence, so the page is written from
 * the verdict kettle report would pass (every check passed, not simulated).
 */
static int report_shows_hardware_evidence_in_green(void)
{
	char base[512], page[600], styles_path[600], col[400], err[256], *html, *styles;
	struct check_list l = { 0 };
	struct log_file f = { 0 };
	struct report_input in;
	struct replay r;
	FILE *out;
	int rc = builds();

	if (rc)
		return rc;
	test_path(base, sizeof(base), "tests", "forensics-report-hardware");
	snprintf(page, sizeof(page), "%s.html", base);
	snprintf(styles_path, sizeof(styles_path), "%s.styles", base);
	CHECK(log_load(log_b, &f) == 0, "log unreadable");
	CHECK(!replay_build(&r, &f, err, sizeof(err)), "%s", err);
	check_add(&l, "snp.report.signature", true, "ECDSA P-384/SHA-384 verifies by the VCEK");
	check_add(&l, "binding.statement", true, "report_data[0..31] = SHA-256 of the statement");
	in = (struct report_input){ .r = &r, .log_path = log_b, .bundle_path = "hardware.bundle",
				    .platform = "sev-snp", .created = "2026-01-01T00:00:00Z", .checks = &l,
				    .attested = true };
	CHECK(report_evidence_state(&in) == REPORT_EVIDENCE_HARDWARE, "not the hardware state");
	out = fopen(page, "w");
	CHECK(out && !report_html_write(out, &in) && !fclose(out), "cannot write %s", page);
	replay_free(&r);
	log_file_free(&f);
	html = slurp(page);
	CHECK(html && strstr(html, "<p id=attestation class=\"state ok\"><span class=\"badge ok\">VERIFIED BY "
			     "HARDWARE") && strstr(html, "class=ok>PASS<"), "the hardware state is not shown");
	CHECK(!strstr(html, "SIMULATED") && !strstr(html, "simulator"), "hardware evidence labelled simulated");
	free(html);
	rc = render(page, base);
	if (rc)
		return rc;
	styles = slurp(styles_path);
	CHECK(styles && styles[0], "no styles captured");
	CHECK(!strcmp(seen(styles, "attestation", 1, col, sizeof(col)), GREEN), "the verdict is %s, not green", col);
	CHECK(!strcmp(seen(styles, "evidence-state", 4, col, sizeof(col)), "VERIFIED BY HARDWARE") &&
	      !strcmp(seen(styles, "evidence-state", 2, col, sizeof(col)), GREEN),
	      "the summary's state: %s", col);
	free(styles);
	return TEST_PASS;
}

/* A step that connects to a server on this machine: in why, diff, the trace and the report. */
static int network_contact_is_shown(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	char log_c[320], port[32], endpoint[64], line[400], page[340];
	const char *cmd[] = { "make", "-s", "-C", proj, port, "fetched.txt", NULL };
	const char *why[] = { "why", log_c, "fetched.txt", NULL };
	const char *diff[] = { "diff", log_b, log_c, NULL };
	const char *report[] = { "report", log_c, "-o", page, NULL };
	struct output o;
	char *html;
	int fd, rc = builds();

	if (rc)
		return rc;
	if (access("/bin/bash", X_OK))
		return test_skip("no bash for /dev/tcp");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)) && !listen(fd, 4) &&
	      !getsockname(fd, (struct sockaddr *)&sa, &len), "local server");
	snprintf(port, sizeof(port), "PORT=%u", ntohs(sa.sin_port));
	snprintf(endpoint, sizeof(endpoint), "127.0.0.1:%u", ntohs(sa.sin_port));
	snprintf(log_c, sizeof(log_c), "%s.net.cbor", log_b);
	snprintf(page, sizeof(page), "%s.net.html", log_b);
	rc = kettle_run(log_c, NULL, cmd, "/dev/null");
	close(fd);
	CHECK(rc == 0, "the fetching build failed (%d)", rc);

	CHECK(!kettle_cmd(&o, why) && o.status == 0, "kettle why: %s", o.err);
	snprintf(line, sizeof(line), "net %s  [local endpoint]", endpoint);
	CHECK(strstr(o.out, line), "the fetch is not in the lineage:\n%s", o.out);
	output_free(&o);
	CHECK(!kettle_cmd(&o, diff) && o.status == 1, "kettle diff: %s", o.err);
	snprintf(line, sizeof(line), "  + %s (this machine, first by ", endpoint);
	CHECK(strstr(o.out, "network contacts only in one build:") && strstr(o.out, line),
	      "the new contact is not in the diff:\n%s", o.out);
	output_free(&o);
	CHECK(!kettle_cmd(&o, report) && o.status == 0, "kettle report: %s", o.err);
	output_free(&o);
	html = slurp(page);
	CHECK(html && strstr(html, endpoint) && strstr(html, "class=ok>this machine<"),
	      "the endpoint is not on the page");
	free(html);
	return TEST_PASS;
}

static int write_bytes(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int rc = f && fwrite(p, 1, n, f) == n ? 0 : -1;

	if (f && fclose(f))
		rc = -1;
	return rc;
}

static int copy_prefix(const char *from, const char *to, long bytes, long patch_at, int patch)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	int c, rc = 0;

	if (!in || !out)
		rc = -1;
	for (long i = 0; !rc && (bytes < 0 || i < bytes) && (c = fgetc(in)) != EOF; i++)
		fputc(i == patch_at ? patch : c, out);
	if (in)
		fclose(in);
	if (out && fclose(out))
		rc = -1;
	return rc;
}

static int bad_input_gives_clear_messages(void)
{
	char cut[320], version[320], garbage[320], plain[320];
	uint8_t *cbor;
	size_t ncbor = 0;
	const char *cut_args[] = { "why", cut, "main.c", NULL };
	const char *ver_args[] = { "diff", log_a, version, NULL };
	const char *never[] = { "why", log_b, "no-such-file.c", NULL };
	const char *gar_args[] = { "report", garbage, "-o", "/dev/null", NULL };
	const char *missing[] = { "who", "/nonexistent/log.cbor", "x", NULL };
	const char *bad_time[] = { "replay", log_b, "--at", "soon", NULL };
	struct output o;
	struct stat st;
	int rc = builds();

	if (rc)
		return rc;
	snprintf(cut, sizeof(cut), "%s.cut", log_b);
	snprintf(version, sizeof(version), "%s.v23", log_b);
	snprintf(garbage, sizeof(garbage), "%s.garbage", log_b);
	snprintf(plain, sizeof(plain), "%s.plain", log_b);
	/* cut and patched in its CBOR (kettle run compressed it): a record cut, a version byte changed */
	cbor = log_cbor_bytes(log_b, &ncbor);
	CHECK(cbor && !write_bytes(plain, cbor, ncbor), "cannot write the log's CBOR");
	free(cbor);
	CHECK(!stat(plain, &st), "stat");
	/* the header is [0, "kettle-log", VERSION, ...]: VERSION is byte 13, a one-byte integer */
	CHECK(!copy_prefix(plain, cut, st.st_size * 2 / 3, -1, 0) &&
	      !copy_prefix(plain, version, -1, 13, 23) &&
	      !write_file("/", garbage + 1, "this is not a build log\n"), "cannot write the bad logs");

	CHECK(!kettle_cmd(&o, cut_args), "run");
	CHECK(o.status == 0 && strstr(o.err, "cut short") && strstr(o.out, "main.c"),
	      "a cut log: exit %d, stderr %s", o.status, o.err);
	output_free(&o);
	CHECK(!kettle_cmd(&o, ver_args), "run");
	CHECK(o.status == 125 && strstr(o.err, "format version 23"),
	      "another version: exit %d, stderr %s", o.status, o.err);
	output_free(&o);
	CHECK(!kettle_cmd(&o, never), "run");
	CHECK(o.status == 125 && strstr(o.err, "'no-such-file.c' is not a path this build touched"),
	      "a path never seen: exit %d, stderr %s", o.status, o.err);
	output_free(&o);
	CHECK(!kettle_cmd(&o, gar_args), "run");
	CHECK(o.status == 125 && strstr(o.err, garbage) && !o.out[0], "garbage: exit %d, stderr %s",
	      o.status, o.err);
	output_free(&o);
	CHECK(!kettle_cmd(&o, missing), "run");
	CHECK(o.status == 125 && strstr(o.err, "/nonexistent/log.cbor"), "missing: %s", o.err);
	output_free(&o);
	CHECK(!kettle_cmd(&o, bad_time), "run");
	CHECK(o.status == 125 && strstr(o.err, "--at 'soon'"), "bad time: %s", o.err);
	output_free(&o);
	unlink(cut);
	unlink(version);
	unlink(garbage);
	unlink(plain);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "why_reaches_the_changed_header", why_reaches_the_changed_header },
	{ "diff_names_the_header_and_objects_first", diff_names_the_header_and_objects_first },
	{ "diff_json_and_identical_builds", diff_json_and_identical_builds },
	{ "who_lists_both_compiles", who_lists_both_compiles },
	{ "replay_at_the_end_has_the_binary", replay_at_the_end_has_the_binary },
	{ "perfetto_trace_has_a_track_per_process", perfetto_trace_has_a_track_per_process },
	{ "report_loads_in_chromium", report_loads_in_chromium },
	{ "report_shows_the_attestation_verdict", report_shows_the_attestation_verdict },
	{ "report_shows_hardware_evidence_in_green", report_shows_hardware_evidence_in_green },
	{ "network_contact_is_shown", network_contact_is_shown },
	{ "bad_input_gives_clear_messages", bad_input_gives_clear_messages },
};

TEST_MAIN("forensics", tests)
