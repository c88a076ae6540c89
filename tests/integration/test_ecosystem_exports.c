// SPDX-License-Identifier: MIT
/*
 * kettle export --format runtime-trace | cyclonedx on a real log
 * (tests/data/log-v2-run.cbor): what they say about the build, and that
 * they validate with ajv against the runtime-trace v0.1 schema
 * (tests/data/) and CycloneDX's own 1.6 schema (tests/js, from npm).
 */
#include <jansson.h>

#include "kettle_test.h"

static char dir[256], out[300], err[300], log_path[600];

static void paths(const char *name)
{
	test_tmpdir(dir, sizeof(dir), name);
	snprintf(out, sizeof(out), "%s/out.json", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	snprintf(log_path, sizeof(log_path), "%s/tests/data/log-v2-run.cbor", KETTLE_SOURCE_DIR);
}

#define RUN(...) kettle_cli((const char *const[]){ __VA_ARGS__, NULL }, "/dev/null", err)

static int ajv_present(void)
{
	char mods[600];

	snprintf(mods, sizeof(mods), "%s/tests/js/node_modules/ajv", KETTLE_SOURCE_DIR);
	return !access(mods, R_OK) && !test_sh("command -v node >/dev/null");
}

/* 0 when FILE validates against SCHEMA (validate_schema.js), 1 when not. */
static int ajv(const char *schema, const char *file)
{
	return test_sh("node '%s/tests/js/validate_schema.js' %s '%s' >/dev/null 2>&1", KETTLE_SOURCE_DIR, schema, file);
}

/* The first array element of ARR whose KEY is the string VALUE. */
static json_t *find(json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e) {
		const char *s = json_string_value(json_object_get(e, key));

		if (s && !strcmp(s, value))
			return e;
	}
	return NULL;
}

static int test_runtime_trace_says_what_the_build_did(void)
{
	json_t *doc, *log, *cp, *dns, *c;

	paths("export-rt");
	CHECK(RUN("export", log_path, "--format", "runtime-trace", "-o", out) == 0, "export failed");
	doc = json_load_file(out, JSON_REJECT_DUPLICATES, NULL);
	CHECK(doc, "not JSON");
	CHECK(!strcmp(json_string_value(json_object_get(doc, "predicateType")),
		      "https://in-toto.io/attestation/runtime-trace/v0.1"), "predicateType");
	log = json_object_get(json_object_get(doc, "predicate"), "monitorLog");
	cp = find(json_object_get(log, "process"), "processBinary", "/usr/bin/cp");
	CHECK(cp && json_array_size(json_object_get(cp, "arguments")) == 3 &&
	      !strcmp(json_string_value(json_array_get(json_object_get(cp, "arguments"), 2)), "d/b"),
	      "cp d/a d/b is not a process");
	dns = find(json_object_get(log, "network"), "ip", "10.255.255.53");
	CHECK(dns && json_integer_value(json_object_get(dns, "port")) == 53, "the DNS server is not in network");
	c = find(json_object_get(log, "fileAccess"), "uri", "file:///tmp/envwork/v2/d/c");
	CHECK(c && !strcmp(json_string_value(json_object_get(json_object_get(c, "digest"), "sha256")),
			   "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"),
	      "d/c has no fileAccess entry with its digest");
	CHECK(find(json_object_get(doc, "subject"), "name", "/tmp/envwork/v2/d/c"), "d/c is not a subject");
	json_decref(doc);
	if (!ajv_present())
		return test_skip("ajv is not installed in tests/js (tools/install-deps)");
	CHECK(ajv("runtime-trace-v0.1", out) == 0, "ajv: the runtime trace does not validate");
	CHECK(test_sh("sed 's/\"monitoredProcess\"/\"monitoredThing\"/' '%s' > '%s/bad.json'", out, dir) == 0, "sed");
	snprintf(out, sizeof(out), "%s/bad.json", dir);
	CHECK(ajv("runtime-trace-v0.1", out) == 1, "ajv accepts a trace without monitoredProcess");
	return TEST_PASS;
}

static int test_cyclonedx_lists_inputs_toolchain_outputs(void)
{
	json_t *doc, *comps, *dash, *c, *props;
	bool build_id = false;
	size_t i;

	paths("export-cdx");
	CHECK(RUN("export", log_path, "--format", "cyclonedx", "-o", out) == 0, "export failed");
	doc = json_load_file(out, JSON_REJECT_DUPLICATES, NULL);
	CHECK(doc && !strcmp(json_string_value(json_object_get(doc, "specVersion")), "1.6"), "not CycloneDX 1.6");
	comps = json_object_get(doc, "components");
	dash = find(comps, "name", "/usr/bin/dash");
	CHECK(dash && !strcmp(json_string_value(json_object_get(dash, "type")), "application"), "no dash tool");
	props = json_object_get(dash, "properties");
	json_array_foreach(props, i, c)
		build_id |= !strcmp(json_string_value(json_object_get(c, "name")), "kettle:elf:build-id") &&
			    !strcmp(json_string_value(json_object_get(c, "value")),
				    "be6397ddffc3e384c505d7deab3bed190c884df9");
	CHECK(build_id, "dash has no ELF build-id property");
	c = find(comps, "name", "/etc/hosts");
	CHECK(c && json_array_size(json_object_get(c, "hashes")) == 1, "/etc/hosts (read) is not an input with a hash");
	c = find(comps, "name", "/tmp/envwork/v2/d/c");
	CHECK(c && find(json_object_get(doc, "dependencies"), "ref", json_string_value(json_object_get(c, "bom-ref"))),
	      "d/c (written) is not an output made by the build");
	CHECK(!find(comps, "name", "/tmp/envwork/v2/d/a"), "d/a (deleted) is listed");
	json_decref(doc);
	if (!ajv_present())
		return test_skip("ajv is not installed in tests/js (tools/install-deps)");
	CHECK(ajv("cyclonedx-1.6", out) == 0, "ajv: the BOM does not validate against CycloneDX 1.6");
	CHECK(test_sh("sed 's/\"SHA-256\"/\"SHA-999\"/' '%s' > '%s/bad.json'", out, dir) == 0, "sed");
	snprintf(out, sizeof(out), "%s/bad.json", dir);
	CHECK(ajv("cyclonedx-1.6", out) == 1, "ajv accepts a BOM with an unknown hash algorithm");
	return TEST_PASS;
}

static int test_unknown_format_is_an_error(void)
{
	paths("export-bad");
	CHECK(RUN("export", log_path, "--format", "spdx") == 125, "an unknown format did not exit 125");
	CHECK(file_holds(err, "expected perfetto, dot, runtime-trace or cyclonedx") && file_lines(err) == 1,
	      "not one line naming the formats");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "runtime_trace_says_what_the_build_did", test_runtime_trace_says_what_the_build_did },
	{ "cyclonedx_lists_inputs_toolchain_outputs", test_cyclonedx_lists_inputs_toolchain_outputs },
	{ "unknown_format_is_an_error", test_unknown_format_is_an_error },
};

int main(void)
{
	int r = test_main("ecosystem_exports", tests, sizeof(tests) / sizeof(tests[0]));

	if (test_sh("rm -rf /tmp/kettle-test-%d-export-*", (int)getpid()))
		fprintf(stderr, "cannot remove the scratch directories\n");
	return r;
}
