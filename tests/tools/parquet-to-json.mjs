// Reads a Parquet file with DuckDB (an independent reader) and prints one JSON document:
// { "columns": [{ "name", "type" }], "rows": [{ column: value }], "metadata": { key: value } }.
// Usage: node tests/tools/parquet-to-json.mjs FILE.parquet
//        node tests/tools/parquet-to-json.mjs --query SQL   (runs SQL in the working directory; prints columns and rows)
// DuckDB's node package lives in the git-ignored .tools folder (scripts/install-duckdb.sh installs it).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const [file, sql] = process.argv[2] === '--query' ? [null, process.argv[3]] : [process.argv[2], null];
if (!file && !sql) {
  console.error('usage: node tests/tools/parquet-to-json.mjs FILE.parquet | --query SQL');
  process.exit(2);
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repositoryRoot, '.tools', 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const query = sql ?? `SELECT * FROM read_parquet(${quote(path.resolve(file))})`;

const description = await connection.runAndReadAll(`DESCRIBE ${query}`);
const columns = description.getRowObjectsJson().map(row => ({ name: row.column_name, type: row.column_type }));

const data = await connection.runAndReadAll(query);
const rows = data.getRowObjectsJson();

let metadata;
if (file) {
  const keyValues = await connection.runAndReadAll(
    `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${quote(path.resolve(file))})`);
  metadata = Object.fromEntries(keyValues.getRowObjectsJson().map(row => [row.key, row.value]));
}

process.stdout.write(JSON.stringify({ columns, rows, metadata }));
connection.closeSync();

function quote(text) {
  return `'${text.replaceAll("'", "''")}'`;
}
