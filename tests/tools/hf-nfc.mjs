// Normalizes text to NFC with Hugging Face tokenizers' own normalizer (the npm package `tokenizers`, the Node
// binding of the Rust library), for tests that hold src/Shared/Tokenization/NfcNormalizer.cs to it.
// Reads one JSON string per line on stdin and writes its NFC form, as one JSON string per line, to stdout.
// The package lives in the git-ignored .tools folder (scripts/test.sh installs it).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import readline from 'node:readline';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repositoryRoot, '.tools', 'package.json'));
const { nfcNormalizer } = require('tokenizers');

const normalizer = nfcNormalizer();
const output = [];
for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  output.push(JSON.stringify(normalizer.normalizeString(JSON.parse(line))));
  if (output.length === 4096) {
    process.stdout.write(output.join('\n') + '\n');
    output.length = 0;
  }
}
process.stdout.write(output.length ? output.join('\n') + '\n' : '');
