#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Validates a JSON document against a schema with ajv (draft-07, formats from ajv-formats).
//
// Usage: validate_schema.js cyclonedx-1.6|runtime-trace-v0.1 FILE
//   cyclonedx-1.6: CycloneDX's own bom-1.6 schema (with the SPDX licence and JSF schemas it
//     refers to), read from the @cyclonedx/cyclonedx-library package that tests/js/package.json
//     pins (res/schema/; origin noted in its README: the CycloneDX specification repository).
//   runtime-trace-v0.1: tests/data/runtime-trace-v0.1.schema.json, written for Kettle from the
//     in-toto spec (in-toto publishes no schema for the predicate; see tests/data/README.md).
// Exit 0 and "OK" when valid; 1 with the first errors on stderr otherwise.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

function schemas(kind) {
  if (kind === 'runtime-trace-v0.1') {
    const file = path.join(__dirname, '..', 'data', 'runtime-trace-v0.1.schema.json');
    return { main: JSON.parse(fs.readFileSync(file, 'utf8')), extra: [] };
  }
  if (kind === 'cyclonedx-1.6') {
    const dir = path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
    const load = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    // the bom schema refers to its companions by their SNAPSHOT file names
    const spdx = load('spdx.SNAPSHOT.schema.json');
    const jsf = load('jsf-0.82.SNAPSHOT.schema.json');
    spdx.$id = 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json';
    jsf.$id = 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json';
    return { main: load('bom-1.6.SNAPSHOT.schema.json'), extra: [spdx, jsf] };
  }
  throw new Error(`unknown schema '${kind}'`);
}

function main() {
  const [kind, file] = process.argv.slice(2);
  if (!kind || !file) {
    console.error('usage: validate_schema.js cyclonedx-1.6|runtime-trace-v0.1 FILE');
    return 2;
  }
  try {
    const s = schemas(kind);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // ajv-formats has no IRI or IDN formats (CycloneDX uses them for URLs and e-mail); checked loosely
    ajv.addFormat('iri-reference', /^[^\s]*$/u);
    ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
    for (const x of s.extra) ajv.addSchema(x);
    const validate = ajv.compile(s.main);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!validate(doc)) {
      for (const e of validate.errors.slice(0, 5)) {
        console.error(`invalid: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
      }
      return 1;
    }
  } catch (e) {
    console.error(`cannot validate: ${e.message}`);
    return 1;
  }
  console.log('OK');
  return 0;
}
process.exitCode = main();
