// interop.mjs DIR reads the Cascade results directory DIR with DuckDB and,
// when it is installed, nodejs-polars, and compares what they see with
// DIR/expected.json (written by TestInterop in interop_test.go). It exits
// non-zero if any check fails. Install the pinned packages first with
// `npm ci` in this directory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node interop.mjs RESULTS_DIR');
  process.exit(2);
}
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const runsPath = join(dir, 'runs.parquet');
const seriesPath = join(dir, 'series.parquet');

let passed = 0;
let failed = 0;
function check(what, got, want) {
  // String() makes BigInt and number comparable and keeps NaN equal to NaN.
  const ok = String(got) === String(want);
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: got ${got}${ok ? '' : `, want ${want}`}`);
}

function rowsOf(manifest, name) {
  const f = manifest.files.find((f) => f.name === name);
  return f ? f.rows : undefined;
}

// --- DuckDB ---
const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;
const runs = `read_parquet(${sqlString(runsPath)})`;
const series = `read_parquet(${sqlString(seriesPath)})`;
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
async function query(sql) {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJS();
}
const version = (await query('SELECT version() AS v'))[0].v;
console.log(`DuckDB ${version}`);

for (const [label, table, want] of [
  ['runs', runs, expected.runs_columns],
  ['series', series, expected.series_columns],
]) {
  const cols = await query(`DESCRIBE SELECT * FROM ${table}`);
  check(`duckdb ${label} columns`, cols.map((c) => `${c.column_name} ${c.column_type}`).join(', '),
    want.map(([n, t]) => `${n} ${t}`).join(', '));
}

const r = (await query(`
  SELECT count(*) AS n,
         avg("vault.bad_debt") AS avg_bad,
         count(*) FILTER (WHERE isnan(peg_dev_max)) AS nan_peg,
         count(*) FILTER (WHERE isinf(peg_dev_max)) AS inf_peg,
         min(seed) AS min_seed,
         max(seed) AS max_seed,
         count(DISTINCT arm) AS arms
  FROM ${runs}`))[0];
check('duckdb runs count', r.n, expected.runs);
check('duckdb runs count = manifest rows', r.n, rowsOf(manifest, 'runs.parquet'));
check('duckdb avg("vault.bad_debt")', r.avg_bad, expected.avg_bad_debt);
check('duckdb NaN peg_dev_max', r.nan_peg, expected.nan_peg);
check('duckdb +Inf peg_dev_max', r.inf_peg, expected.inf_peg);
check('duckdb min(seed)', r.min_seed, expected.min_seed);
check('duckdb max(seed) (≥ 2^63, unsigned)', r.max_seed, expected.max_seed);
check('duckdb distinct arms', r.arms, expected.arms);

const s = (await query(`
  SELECT count(*) AS n, avg("ETH.price") AS avg_price, sum(time_s) AS sum_time, max(sample) AS max_sample,
         count(DISTINCT (cell, arm, run)) AS runs
  FROM ${series}`))[0];
check('duckdb series count', s.n, expected.series_rows);
check('duckdb series count = manifest rows', s.n, rowsOf(manifest, 'series.parquet'));
check('duckdb avg(price)', s.avg_price, expected.avg_price);
check('duckdb sum(time_s)', s.sum_time, expected.sum_time);
check('duckdb max(sample)', s.max_sample, expected.max_sample);
check('duckdb runs with samples', s.runs, expected.runs_in_series);

const j = (await query(`
  SELECT count(*) AS n FROM ${series} s JOIN ${runs} r USING (cell, arm, run)`))[0];
check('duckdb series ⋈ runs rows', j.n, expected.series_rows);
db.closeSync();

// --- nodejs-polars (optional) ---
let pl;
try {
  pl = createRequire(import.meta.url)('nodejs-polars');
} catch (err) {
  console.log(`SKIP polars: ${String(err.message).split('\n')[0]}`);
}
if (pl) {
  const runsDf = pl.readParquet(runsPath);
  check('polars runs columns', runsDf.columns.join(', '), expected.runs_columns.map(([n]) => n).join(', '));
  check('polars runs height', runsDf.height, expected.runs);
  check('polars seed dtype', String(runsDf.getColumn('seed').dtype), String(pl.UInt64));
  // nodejs-polars' Series.max() gives null for UInt64 and Series.get() a
  // lossy signed number; an expression keeps the value exact.
  check('polars max(seed)', runsDf.select(pl.col('seed').max().cast(pl.Utf8)).getColumn('seed').get(0), expected.max_seed);
  check('polars mean(bad_debt)', runsDf.getColumn('vault.bad_debt').mean(), expected.avg_bad_debt);
  check('polars NaN peg_dev_max', runsDf.filter(pl.col('peg_dev_max').isNan()).height, expected.nan_peg);
  check('polars null peg_dev_max', runsDf.getColumn('peg_dev_max').nullCount(), 0);
  const seriesDf = pl.readParquet(seriesPath);
  check('polars series columns', seriesDf.columns.join(', '), expected.series_columns.map(([n]) => n).join(', '));
  check('polars series height', seriesDf.height, expected.series_rows);
  check('polars mean(price)', seriesDf.getColumn('ETH.price').mean(), expected.avg_price);
}

console.log(`checks: ${passed} ok, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
