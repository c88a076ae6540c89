// SPDX-License-Identifier: MIT
/*
 * The build report page.  Tables are written here, as HTML; the process
 * timeline is drawn by a small inline script from the data block, so that a
 * page of ten thousand processes stays a few megabytes.  No external URL
 * appears anywhere: the page works offline and fetches nothing.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forensics/forensic_facts.h"
#include "forensics/report_html.h"
#include "log/env_numbers.h"
#include "log/show_fmt.h"
#include "provenance/provenance_net.h"

#define CMD_SHOWN 300           /* bytes of a command line in the data block */

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
	"h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .4em;"
	"border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:top}"
	"tr:nth-child(even){background:#f4f4f4}code,.mono{font-family:ui-monospace,monospace;"
	"font-size:12px}.ok{color:#080}.bad{color:#b00;font-weight:bold}.warn{color:#a60}"
	".sim{color:#9a5700}.state{padding:4px 8px;border-left:6px solid}.state.ok{background:#e9f6e9}"
	".state.sim{background:#fff3cd}.state.bad{background:#fbe9e9}"
	".badge{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px;font-weight:bold}"
	".badge.ok{background:#080;color:#fff}.badge.sim{background:#ffbf00;color:#000}"
	".badge.bad{background:#b00;color:#fff}"
	"dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{font-weight:bold}"
	"dd{margin:0}#timeline svg{font:11px ui-monospace,monospace}"
	"#timeline rect.p{fill:#4a7fb0}#timeline rect.f{fill:#c33}#timeline rect.r{fill:#999}"
	"#timeline rect:hover{fill:#e90}#detail{white-space:pre-wrap;background:#f7f7e8;"
	"padding:4px;min-height:1.4em}input{margin:4px 0}";

static const char script[] =
	"(function(){\n"
	"var d=JSON.parse(document.getElementById('kettle-data').textContent);\n"
	"var ns='http://www.w3.org/2000/svg',rowH=14,left=260,width=900,max=4000;\n"
	"var procs=d.procs,shown=Math.min(procs.length,max),dur=Math.max(d.duration_ms,0.001);\n"
	"var svg=document.createElementNS(ns,'svg');\n"
	"svg.setAttribute('width',left+width+60);svg.setAttribute('height',shown*rowH+24);\n"
	"function el(n,a,t){var e=document.createElementNS(ns,n);for(var k in a)e.setAttribute(k,a[k]);"
	"if(t!==undefined)e.textContent=t;svg.appendChild(e);return e;}\n"
	"for(var t=0;t<=10;t++){var x=left+width*t/10;"
	"el('line',{x1:x,x2:x,y1:12,y2:shown*rowH+20,stroke:'#ddd'});"
	"el('text',{x:x+2,y:10},(d.duration_ms*t/10000).toFixed(2)+' s');}\n"
	"var detail=document.getElementById('detail');\n"
	"procs.slice(0,shown).forEach(function(p,i){var y=16+i*rowH;\n"
	" el('text',{x:4+Math.min(p.depth,20)*8,y:y+10},p.pid+' '+p.name);\n"
	" var x=left+width*p.start/dur,w=Math.max(1,width*(p.end-p.start)/dur);\n"
	" var r=el('rect',{x:x,y:y+2,width:w,height:rowH-4,'class':p.status===null?'r':(p.status?'f':'p')});\n"
	" var tip=document.createElementNS(ns,'title');tip.textContent=p.cmd;r.appendChild(tip);\n"
	" r.addEventListener('click',function(){detail.textContent='pid '+p.pid+', '+"
	"(p.end-p.start).toFixed(3)+' ms, '+(p.status===null?'no exit seen':'wait status '+p.status)+'\\n'+p.cmd+"
	"(p.env===undefined?'':'\\n\\nenvironment (#'+p.env+'):\\n'+d.envs[p.env].join('\\n'));});\n"
	"});\n"
	"document.getElementById('timeline').appendChild(svg);\n"
	"document.getElementById('timeline-caption').textContent=procs.length+' processes'+"
	"(shown<procs.length?' (the first '+shown+' drawn)':'')+'; click a bar for its command and environment.';\n"
	"Array.prototype.forEach.call(document.querySelectorAll('input[data-filter]'),function(inp){\n"
	" inp.addEventListener('input',function(){var q=inp.value.toLowerCase();\n"
	"  Array.prototype.forEach.call(document.getElementById(inp.getAttribute('data-filter')).rows,"
	"function(row,i){if(i)row.style.display=row.textContent.toLowerCase().indexOf(q)<0?'none':'';});});});\n"
	"})();\n";

static void html(FILE *o, const char *s)
{
	show_html(o, s);
}

static double ms(const struct replay *r, uint64_t ts)
{
	return (double)(int64_t)(ts - r->start_ns) / 1e6;
}

static void sha_cell(FILE *o, const struct log_digest *d)
{
	char hex[65];

	if (!d) {
		fputs("<td>-</td>", o);
		return;
	}
	show_sha256_hex(d->sha256, hex);
	fprintf(o, "<td class=mono>%s</td>", hex);
}

static void command_text(FILE *o, const struct replay *r, uint32_t p, size_t limit)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem)
		return;
	forensic_print_command(mem, r, p, limit);
	if (!fclose(mem))
		html(o, buf);
	free(buf);
}

enum report_evidence report_evidence_state(const struct report_input *in)
{
	if (!in->bundle_path)
		return REPORT_EVIDENCE_ABSENT;
	if (!in->attested)
		return REPORT_EVIDENCE_FAILED;
	return in->simulated ? REPORT_EVIDENCE_SIMULATED : REPORT_EVIDENCE_HARDWARE;
}

/* The state's class, badge word and sentence; one table so the summary and the section agree. */
static const struct {
	const char *cls, *badge, *why;
} evidence_shown[] = {
	[REPORT_EVIDENCE_FAILED] = { "bad", "NOT VERIFIED", "A check failed: the evidence is NOT verified "
				     "(see the checks under Attestation)." },
	[REPORT_EVIDENCE_SIMULATED] = { "sim", "SIMULATED", "Every check passed, but the evidence comes from "
					"Kettle's software simulator, which proves nothing about a machine: no "
					"TEE protected this build." },
	[REPORT_EVIDENCE_HARDWARE] = { "ok", "VERIFIED BY HARDWARE", "Every check passed on evidence signed by "
				       "the TEE vendor's key chain." },
};

static void evidence_badge(FILE *o, enum report_evidence e, const char *id)
{
	fprintf(o, "<span%s%s class=\"badge %s\">%s</span> ", id ? " id=" : "", id ? id : "",
		evidence_shown[e].cls, evidence_shown[e].badge);
}

static void summary(FILE *o, const struct report_input *in)
{
	enum report_evidence ev = report_evidence_state(in);
	const struct replay *r = in->r;
	const struct log_file *f = r->log;
	const struct log_header *h = &f->header;
	time_t start = (time_t)(h->start_wall_ns / 1000000000u);
	uint32_t outputs = 0, sources = 0;
	char when[64] = "?";
	struct tm tm;

	for (uint32_t i = 0; i < r->nfiles; i++) {
		const char *role = forensic_file_role(r, i);

		outputs += !strcmp(role, "output") || !strcmp(role, "intermediate");
		sources += !strcmp(role, "source");
	}
	if (gmtime_r(&start, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(o, "<h1>Kettle build report</h1><p class=mono>");
	command_text(o, r, r->root, 2000);
	fprintf(o, "</p><dl><dt>Directory</dt><dd class=mono>");
	html(o, h->cwd);
	fprintf(o, "</dd><dt>Host</dt><dd>");
	html(o, h->host);
	fprintf(o, " (Linux ");
	html(o, h->kernel_release);
	fprintf(o, ")</dd><dt>Started</dt><dd>%s</dd><dt>Duration</dt><dd>%.3f s</dd>", when,
		ms(r, r->end_ns) / 1000);
	fprintf(o, "<dt>Exit status</dt><dd>");
	if (f->has_trailer)
		fprintf(o, "%s", f->trailer.exit_status ? "<span class=bad>failed</span>" : "0");
	else
		fprintf(o, "<span class=warn>unknown (no trailer)</span>");
	if (ev != REPORT_EVIDENCE_ABSENT) {
		fprintf(o, "</dd><dt>Evidence</dt><dd class=%s>", evidence_shown[ev].cls);
		evidence_badge(o, ev, "evidence-state");
		fprintf(o, "<code>");
		html(o, in->platform);
		fprintf(o, "</code>: %s", evidence_shown[ev].why);
	}
	fprintf(o, "</dd><dt>Processes</dt><dd id=process-count>%" PRIu32 "</dd>"
		"<dt>Events</dt><dd>%zu</dd><dt>Sources read</dt><dd>%" PRIu32 "</dd>"
		"<dt>Files written</dt><dd>%" PRIu32 "</dd><dt>Log</dt><dd class=mono>", r->nprocs,
		f->nevents, sources, outputs);
	html(o, in->log_path);
	fprintf(o, " (%" PRIu64 " bytes, kettle ", f->file_bytes);
	html(o, h->kettle_version);
	fprintf(o, ")</dd></dl>\n");
}

static void completeness(FILE *o, const struct replay *r)
{
	const struct log_file *f = r->log;
	struct log_losses l = { 0 };
	struct log_hash_stats hs = f->trailer.hash;
	uint64_t lost;
	bool complete;

	if (f->has_trailer)
		l = f->trailer.losses;
	else if (f->ncheckpoints)
		l = f->checkpoints[f->ncheckpoints - 1].losses;
	lost = log_losses_total(&l);
	complete = f->has_trailer && !f->truncated && !lost && !hs.failed && !hs.queue_full &&
		   !hs.changed;
	fprintf(o, "<h2>Completeness</h2><p id=completeness class=%s>%s</p><table>",
		complete ? "ok" : "bad", complete ?
		"Complete: nothing lost or cut, every file hashed, nothing changed under the hasher." :
		"Incomplete: see the figures below.");
	fprintf(o, "<tr><td>log ends with its trailer</td><td>%s</td></tr>",
		f->has_trailer && !f->truncated ? "yes" : "<span class=bad>no: cut short</span>");
	fprintf(o, "<tr><td>events lost in the ring buffer</td><td>%" PRIu64 "</td></tr>",
		lost - l.path_truncations - l.argv_truncations - l.string_truncations -
		l.pending_full - l.tracked_full - l.env_truncations);
	fprintf(o, "<tr><td>paths cut</td><td>%" PRIu64 "</td></tr><tr><td>argv cut</td><td>%" PRIu64
		"</td></tr><tr><td>strings cut</td><td>%" PRIu64 "</td></tr><tr><td>environments cut</td><td>%"
		PRIu64 "</td></tr><tr><td>pending or tracked table full</td><td>%" PRIu64 "</td></tr>",
		l.path_truncations, l.argv_truncations, l.string_truncations, l.env_truncations,
		l.pending_full + l.tracked_full);
	fprintf(o, "<tr><td>files hashed</td><td>%" PRIu64 "</td></tr><tr><td>not hashable</td><td>%"
		PRIu64 "</td></tr><tr><td>changed while the build ran</td><td>%" PRIu64 "</td></tr>"
		"<tr><td>not hashed, queue full</td><td>%" PRIu64 "</td></tr></table>\n", hs.hashed,
		hs.failed, hs.changed, hs.queue_full);
}

#define NET_ROWS_MAX 500

/* The verdict is provenance's (one rule for both); the endpoints come from the replay model. */
static void network(FILE *o, const struct replay *r)
{
	json_t *net = provenance_network(r->log);
	const char *verdict = json_string_value(json_object_get(net, "verdict"));
	const char *reason = json_string_value(json_object_get(net, "reason"));
	uint32_t remote = 0;

	for (uint32_t i = 0; i < r->nendpoints; i++)
		remote += !r->endpoints[i].local;
	fprintf(o, "<h2>Network and hermeticity</h2><p id=network class=%s>",
		!verdict ? "warn" : !strcmp(verdict, "hermetic") ? "ok" :
		!strcmp(verdict, "not-hermetic") ? "bad" : "warn");
	html(o, verdict ? verdict : "unknown");
	fprintf(o, ": ");
	html(o, reason ? reason : "the network summary could not be made");
	fprintf(o, ".</p><p>%" PRIu32 " endpoints (%" PRIu32 " off this machine), %" PRIu32
		" socket calls naming one, %" PRIu32 " DNS queries.</p>\n", r->nendpoints, remote,
		r->nnets, r->dns_queries);
	json_decref(net);
	if (!r->nendpoints)
		return;
	fprintf(o, "<table id=endpoints><tr><th>endpoint</th><th>where</th><th>calls</th>"
		"<th>first by</th></tr>\n");
	for (uint32_t i = 0; i < r->nendpoints && i < NET_ROWS_MAX; i++) {
		const struct replay_endpoint *e = &r->endpoints[i];

		fprintf(o, "<tr><td class=mono>");
		html(o, e->name);
		fprintf(o, "</td><td class=%s>%s</td><td>%" PRIu32 "</td><td class=mono>%" PRIu32 " ",
			e->local ? "ok" : "bad", e->local ? "this machine" : "remote", e->calls,
			r->procs[e->first_proc].pid);
		command_text(o, r, e->first_proc, 160);
		fprintf(o, "</td></tr>\n");
	}
	fprintf(o, "</table>%s\n", r->nendpoints > NET_ROWS_MAX ? "<p>(the first 500 shown)</p>" : "");
}

static void attestation(FILE *o, const struct report_input *in)
{
	static const char *const verdict[] = { [RS_MATCH] = "<span class=ok>matches the log</span>",
		[RS_DIFFERS] = "<span class=bad>differs from the log</span>",
		[RS_NOT_IN_LOG] = "<span class=bad>not an output of this log</span>",
		[RS_NO_SHA256] = "<span class=warn>no sha256 in the statement</span>" };
	size_t bad = 0;

	if (!in->provenance_path)
		return;
	for (size_t i = 0; i < in->nsubjects; i++)
		bad += in->subjects[i].match != RS_MATCH;
	fprintf(o, "<h2>Provenance</h2><p>");
	html(o, in->provenance_path);
	fprintf(o, ": predicate <code>");
	html(o, in->predicate_type ? in->predicate_type : "(none)");
	fprintf(o, "</code>; <span id=provenance-verdict class=%s>%zu of %zu subjects match the "
		"log's output digests</span></p><table><tr><th>subject</th><th>sha256</th>"
		"<th>against the log</th></tr>", bad ? "bad" : "ok", in->nsubjects - bad, in->nsubjects);
	for (size_t i = 0; i < in->nsubjects; i++) {
		fprintf(o, "<tr><td class=mono>");
		html(o, in->subjects[i].name);
		fprintf(o, "</td><td class=mono>");
		html(o, in->subjects[i].sha256 ? in->subjects[i].sha256 : "-");
		fprintf(o, "</td><td>%s</td></tr>", verdict[in->subjects[i].match]);
	}
	fprintf(o, "</table>\n");
}

static void evidence(FILE *o, const struct report_input *in)
{
	const struct check_list *l = in->checks;
	enum report_evidence ev = report_evidence_state(in);

	if (ev == REPORT_EVIDENCE_ABSENT)
		return;
	fprintf(o, "<h2>Attestation</h2><p id=attestation class=\"state %s\">", evidence_shown[ev].cls);
	evidence_badge(o, ev, NULL);
	fprintf(o, "%s</p><p>", evidence_shown[ev].why);
	html(o, in->bundle_path);
	fprintf(o, ": ");
	html(o, in->platform);
	fprintf(o, " evidence%s, created ", in->simulated ? " (SIMULATED)" : "");
	html(o, in->created);
	fprintf(o, "</p><table id=checks><tr><th>check</th><th>result</th><th>why</th></tr>\n");
	for (size_t i = 0; l && i < l->n; i++) {
		const struct check_result *c = &l->items[i];

		fprintf(o, "<tr><td class=mono>");
		html(o, c->name);
		/* a check passed against the simulator's keys is no hardware proof: amber, not green */
		fprintf(o, "</td><td class=%s>%s</td><td>", c->note ? "warn" : !c->passed ? "bad" :
			in->simulated ? "sim" : "ok", c->note ? "NOTE" : c->passed ? "PASS" : "FAIL");
		html(o, c->reason);
		fprintf(o, "</td></tr>\n");
	}
	if (l && l->dropped)
		fprintf(o, "<tr><td>(more)</td><td class=bad>FAIL</td><td>%zu checks beyond the list</td></tr>",
			l->dropped);
	fprintf(o, "</table>\n");
}

static void file_rows(FILE *o, const struct replay *r, const char *id, bool (*want)(const struct replay *, uint32_t),
		      bool with_writer, bool with_build_id)
{
	fprintf(o, "<input placeholder=filter data-filter=%s><table id=%s><tr><th>path</th><th>sha256</th>",
		id, id);
	if (with_build_id)
		fprintf(o, "<th>build-id</th>");
	if (with_writer)
		fprintf(o, "<th>written by</th>");
	fprintf(o, "</tr>\n");
	for (uint32_t i = 0; i < r->nfiles; i++) {
		const struct replay_file *f = &r->files[i];

		if (!want(r, i))
			continue;
		fprintf(o, "<tr><td class=mono>");
		html(o, f->path);
		fprintf(o, "</td>");
		sha_cell(o, replay_file_digest(r, i));
		if (with_build_id) {
			fprintf(o, "<td class=mono>");
			if (f->exec_ident != REPLAY_NONE)
				html(o, r->log->exec_idents[f->exec_ident].build_id);
			fprintf(o, "</td>");
		}
		if (with_writer && f->first_writer != REPLAY_NONE) {
			uint32_t p = r->accesses[f->first_writer].proc;

			fprintf(o, "<td class=mono>%" PRIu32 " ", r->procs[p].pid);
			command_text(o, r, p, 160);
			fprintf(o, "</td>");
		}
		fprintf(o, "</tr>\n");
	}
	fprintf(o, "</table>\n");
}

static bool is_output(const struct replay *r, uint32_t f)
{
	const char *role = forensic_file_role(r, f);

	return !strcmp(role, "output") || !strcmp(role, "intermediate");
}

static bool is_executable(const struct replay *r, uint32_t f)
{
	return !strcmp(forensic_file_role(r, f), "executable");
}

static bool is_source(const struct replay *r, uint32_t f)
{
	return !strcmp(forensic_file_role(r, f), "source");
}

/* ",\"env\":N" for a process whose program got a recorded environment (each one listed once, in "envs"). */
static void env_ref(FILE *o, const struct replay *r, uint32_t p, struct env_numbers *envs)
{
	const struct replay_exec *x = replay_proc_exec(r, p);
	bool first;
	long n = x && x->env ? env_number(envs, x->env, &first) : -1;

	if (n >= 0)
		fprintf(o, ",\"env\":%ld", n);
}

/* The environments the processes refer to, each an array of "NAME=value" (secrets as recorded: hashed). */
static void env_table(FILE *o, const struct env_numbers *envs)
{
	fprintf(o, "],\"envs\":[");
	for (uint32_t i = 0; i < envs->n; i++) {
		fprintf(o, "%s\n[", i ? "," : "");
		for (uint32_t k = 0; k < envs->envs[i]->nvars; k++) {
			fputs(k ? "," : "", o);
			show_json_write(o, envs->envs[i]->vars[k]);
		}
		fputc(']', o);
	}
}

/* The processes in tree order, as the data block of the timeline script. */
static void timeline_data(FILE *o, const struct replay *r)
{
	struct env_numbers envs = { 0 };
	bool first = true;

	fprintf(o, "<script type=\"application/json\" id=kettle-data>{\"duration_ms\":%.3f,\"procs\":[",
		ms(r, r->end_ns));
	for (uint32_t root = 0; root < r->nprocs; root++) {
		uint32_t p = root;

		if (r->procs[root].parent != REPLAY_NONE)
			continue;
		/* preorder without recursion: down to the first child, else across, else up */
		while (p != REPLAY_NONE) {
			const struct replay_proc *pr = &r->procs[p];
			char *cmd = NULL;
			size_t len = 0;
			FILE *mem = open_memstream(&cmd, &len);

			if (mem) {
				forensic_print_command(mem, r, p, CMD_SHOWN);
				if (fclose(mem)) {
					free(cmd);
					cmd = NULL;
				}
			}
			fprintf(o, "%s\n{\"pid\":%" PRIu32 ",\"depth\":%" PRIu32 ",\"start\":%.3f,\"end\":%.3f,"
				"\"status\":", first ? "" : ",", pr->pid, pr->depth, ms(r, pr->start_ns),
				ms(r, pr->end_ns));
			if (pr->exited)
				fprintf(o, "%" PRId32, pr->status);
			else
				fprintf(o, "null");
			fprintf(o, ",\"name\":");
			show_json_write(o, replay_proc_name(r, p));
			fprintf(o, ",\"cmd\":");
			show_json_write(o, cmd ? cmd : "");
			env_ref(o, r, p, &envs);
			fputc('}', o);
			free(cmd);
			first = false;
			if (pr->first_child != REPLAY_NONE) {
				p = pr->first_child;
				continue;
			}
			while (p != REPLAY_NONE && p != root && r->procs[p].next_sibling == REPLAY_NONE)
				p = r->procs[p].parent;
			p = p == REPLAY_NONE || p == root ? REPLAY_NONE : r->procs[p].next_sibling;
		}
	}
	env_table(o, &envs);
	env_numbers_free(&envs);
	fprintf(o, "]}</script>\n");
}

int report_html_write(FILE *o, const struct report_input *in)
{
	const struct replay *r = in->r;

	fprintf(o, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
		"<title>Kettle build report</title><style>%s</style></head><body>\n", css);
	summary(o, in);
	completeness(o, r);
	network(o, r);
	evidence(o, in);
	attestation(o, in);
	fprintf(o, "<h2>Processes</h2><p id=timeline-caption>(the timeline needs JavaScript)</p>"
		"<div id=timeline></div><p id=detail></p>\n");
	fprintf(o, "<h2>Outputs</h2>\n");
	file_rows(o, r, "outputs", is_output, true, false);
	fprintf(o, "<h2>Toolchain (executed files)</h2>\n");
	file_rows(o, r, "toolchain", is_executable, false, true);
	fprintf(o, "<h2>Inputs</h2>\n");
	file_rows(o, r, "inputs", is_source, false, false);
	timeline_data(o, r);
	fprintf(o, "<script>%s</script>\n</body></html>\n", script);
	return fflush(o) || ferror(o) ? -1 : 0;
}
