// tables.mjs DIR reads every Parquet file the manifest of the Cascade
// directory DIR lists (a results or trace directory) with DuckDB and checks
// that DuckDB sees the rows and columns the manifest gives. For a trace
// directory it also checks that steps.parquet has one row per step from 0
// to steps_per_run. It exits non-zero if any check fails. Install the
// pinned packages first with `npm ci` in this directory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node tables.mjs DIR');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
async function query(sql) {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJS();
}
const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;

let passed = 0;
let failed = 0;
function check(what, got, want) {
  const ok = String(got) === String(want);
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: got ${got}${ok ? '' : `, want ${want}`}`);
}

for (const f of manifest.files.filter((f) => f.name.endsWith('.parquet'))) {
  const table = `read_parquet(${sqlString(join(dir, f.name))})`;
  const n = (await query(`SELECT count(*) AS n FROM ${table}`))[0].n;
  check(`${f.name} rows`, n, f.rows);
  const cols = (await query(`DESCRIBE SELECT * FROM ${table}`)).map((c) => c.column_name);
  check(`${f.name} columns`, cols.join(', '), f.columns.map((c) => c.name).join(', '));
}
if (manifest.trace) {
  const steps = `read_parquet(${sqlString(join(dir, 'steps.parquet'))})`;
  const r = (await query(`SELECT min(step) AS lo, max(step) AS hi, count(DISTINCT step) AS n FROM ${steps}`))[0];
  check('steps.parquet first step', r.lo, 0);
  check('steps.parquet last step', r.hi, manifest.steps_per_run);
  check('steps.parquet distinct steps', r.n, manifest.steps_per_run + 1);
  const events = `read_parquet(${sqlString(join(dir, 'events.parquet'))})`;
  const e = (await query(`SELECT count(*) AS n, count(DISTINCT seq) AS seqs, max(step) AS hi FROM ${events}`))[0];
  check('events.parquet seq unique', e.seqs, e.n);
  check('events.parquet steps within the run', Number(e.hi) <= manifest.steps_per_run, true);
  const runs = `read_parquet(${sqlString(join(dir, 'runs.parquet'))})`;
  const run = (await query(`SELECT cell, arm, run FROM ${runs}`))[0];
  check('runs.parquet is the traced run', `${run.cell}/${run.arm}/${run.run}`, `${manifest.trace.cell}/${manifest.trace.arm}/${manifest.trace.run}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
