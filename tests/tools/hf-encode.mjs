// Encodes texts with Hugging Face tokenizers (the npm package `tokenizers`, the Node binding of the Rust library),
// for tests that hold src/Shared/Tokenization to it.
// Reads one JSON request per line on stdin:
//   {"tokenizer": "/path/tokenizer.json", "text": "...", "pair": "..." | null, "addSpecialTokens": true,
//    "maxLength": 12 | null, "strategy": "LongestFirst" | "OnlyFirst" | "OnlySecond" | null, "codePoints": false}
// and writes one JSON line per request: {"ids", "typeIds", "offsets", "sequenceIds"} or {"error": "..."}.
// The binding gives offsets in code points; they are written in UTF-16 code units of the text (of the pair for the
// second text's tokens), the units of .NET strings, unless codePoints is true. Sequence ids of special tokens are -1.
// The package lives in the git-ignored .tools folder (scripts/test.sh installs it).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { utf16Positions } from './utf16.mjs';
import readline from 'node:readline';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repositoryRoot, '.tools', 'package.json'));
const { Tokenizer } = require('tokenizers');

const tokenizers = new Map();

function load(file, maxLength, strategy) {
  const key = `${file}\u0000${maxLength}\u0000${strategy}`;
  let tokenizer = tokenizers.get(key);
  if (!tokenizer) {
    tokenizer = Tokenizer.fromFile(file);
    if (maxLength === null || maxLength === undefined) tokenizer.disableTruncation();
    else tokenizer.setTruncation(maxLength, { strategy: strategy ?? 'LongestFirst' });
    tokenizers.set(key, tokenizer);
  }
  return tokenizer;
}

async function encode(request) {
  const tokenizer = load(request.tokenizer, request.maxLength, request.strategy);
  const encoding = await tokenizer.encode(request.text, request.pair ?? null, {
    addSpecialTokens: request.addSpecialTokens ?? true,
  });
  const sequenceIds = encoding.getSequenceIds().map((id) => (id === null || id === undefined ? -1 : id));
  const positions = [utf16Positions(request.text), utf16Positions(request.pair ?? '')];
  const offsets = encoding.getOffsets().map(([start, end], i) =>
    sequenceIds[i] < 0 || request.codePoints ? [start, end] : [positions[sequenceIds[i]][start], positions[sequenceIds[i]][end]]);
  return { ids: encoding.getIds(), typeIds: encoding.getTypeIds(), offsets, sequenceIds };
}

const output = [];
for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  let result;
  try {
    result = await encode(JSON.parse(line));
  } catch (error) {
    result = { error: String(error?.message ?? error) };
  }
  output.push(JSON.stringify(result));
  if (output.length === 1024) {
    process.stdout.write(output.join('\n') + '\n');
    output.length = 0;
  }
}
process.stdout.write(output.length ? output.join('\n') + '\n' : '');
