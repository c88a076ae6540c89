/* SPDX-License-Identifier: MIT */
/* How names from a log are shown: shell-quoted words for people, valid JSON strings for programs. */
#ifndef KETTLE_SHOW_FMT_H
#define KETTLE_SHOW_FMT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "log/log_event.h"

/* S as a shell word: as is when safe, else quoted ($'...' when it has control bytes). */
void show_word(FILE *out, const char *s);
/* ARGV[0..N) as shell words separated by spaces. */
void show_argv(FILE *out, const char *const *argv, uint32_t n);
/* A name (bytes, maybe not UTF-8) as a JSON string: invalid bytes become U+FFFD; NULL is null. */
json_t *show_json_name(const char *s);
/* ARGV[0..N) as a JSON array of names; NULL when out of memory. */
json_t *show_json_argv(const char *const *argv, uint32_t n);
/* An exec's environment: {envc, truncated, vars ["NAME=value", ...]}; null for NULL. */
json_t *show_json_env(const struct log_env *env);
/* Writes S as a JSON string literal (quotes included); <, > and & as \\u escapes, so that it can sit inside an HTML <script>. */
void show_json_write(FILE *out, const char *s);
/* Writes S as HTML text: markup characters as entities, invalid UTF-8 and control bytes as U+FFFD. */
void show_html(FILE *out, const char *s);
/* An unsigned 64-bit value: an integer, or a decimal string above INT64_MAX. */
json_t *show_json_u64(uint64_t v);
/* NS nanoseconds as seconds with 6 decimals ("12.000345"), negative allowed. */
void show_seconds(FILE *out, int64_t ns);

#endif
