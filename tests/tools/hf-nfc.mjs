// Normalizes text to NFC (or the form named by the one argument: nfc, nfd, nfkc, nfkd) with Hugging Face tokenizers'
// own normalizers (the npm package `tokenizers`, the Node binding of the Rust library), for tests that hold
// src/Shared/Tokenization/NfcNormalizer.cs to them.
// Reads one JSON string per line on stdin and writes its normal form, as one JSON string per line, to stdout.
// The package lives in the git-ignored .tools folder (scripts/test.sh installs it).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import readline from 'node:readline';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repositoryRoot, '.tools', 'package.json'));
const normalizers = require('tokenizers');

const form = process.argv[2] ?? 'nfc';
const create = { nfc: normalizers.nfcNormalizer, nfd: normalizers.nfdNormalizer, nfkc: normalizers.nfkcNormalizer, nfkd: normalizers.nfkdNormalizer }[form];
if (!create) throw new Error(`unknown normal form '${form}'`);
const normalizer = create();
const output = [];
for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  output.push(JSON.stringify(normalizer.normalizeString(JSON.parse(line))));
  if (output.length === 4096) {
    process.stdout.write(output.join('\n') + '\n');
    output.length = 0;
  }
}
process.stdout.write(output.length ? output.join('\n') + '\n' : '');
