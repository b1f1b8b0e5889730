// Trains tokenization models and runs them on single pieces with Hugging Face tokenizers (the npm package
// `tokenizers`, the Node binding of the Rust library), for tests that hold src/Shared/Tokenization/Models to it.
// Reads one JSON request per line on stdin and writes one JSON line per request:
//   {"train": "BPE" | "ByteLevelBPE" | "WordPiece" | "WordLevel" | "Unigram", "corpus": "/path.txt", "output": "/path.json"}
//     trains a model of that kind on the corpus (split on whitespace, or by the ByteLevel pre-tokenizer) with its
//     default trainer and saves the tokenizer.json; answers {}.
//   {"tokenizer": "/path/tokenizer.json", "pieces": ["...", ...]}
//     encodes each piece alone (the file has no normalizer or pre-tokenizer, so a piece goes to the model whole);
//     answers {"ids": [[...], ...], "offsets": [[[start, end], ...], ...]} with offsets in UTF-16 code units, or
//     {"error": "..."}.
//   {"charsmap": "base64 precompiled_charsmap", "texts": ["...", ...]}
//     normalizes each text with a Precompiled normalizer; answers {"texts": [...]}.
// The package lives in the git-ignored .tools folder (scripts/test.sh installs it).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { utf16Positions } from './utf16.mjs';
import readline from 'node:readline';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repositoryRoot, '.tools', 'package.json'));
const hf = require('tokenizers');

const models = {
  BPE: () => hf.BPE.empty(),
  ByteLevelBPE: () => hf.BPE.empty(),
  WordPiece: () => hf.WordPiece.empty(),
  WordLevel: () => hf.WordLevel.empty(),
  Unigram: () => hf.Unigram.empty(),
};

function train(request) {
  const tokenizer = new hf.Tokenizer(models[request.train]());
  tokenizer.setPreTokenizer(request.train === 'ByteLevelBPE'
    ? hf.byteLevelPreTokenizer(false, true)
    : hf.whitespaceSplitPreTokenizer());
  tokenizer.train([request.corpus]);
  tokenizer.save(request.output, true);
  return {};
}

async function encode(request) {
  const tokenizer = hf.Tokenizer.fromFile(request.tokenizer);
  const encodings = await tokenizer.encodeBatch(request.pieces, { addSpecialTokens: false });
  return {
    ids: encodings.map((encoding) => encoding.getIds()),
    offsets: encodings.map((encoding, i) => {
      const positions = utf16Positions(request.pieces[i]);
      // An offset past the piece (BPE byte fallback with a continuing-subword prefix) is passed on as it is.
      return encoding.getOffsets().map(([start, end]) => [positions[start] ?? start, positions[end] ?? end]);
    }),
  };
}

function normalize(request) {
  const normalizer = hf.precompiled([...Buffer.from(request.charsmap, 'base64')]);
  return { texts: request.texts.map((text) => normalizer.normalizeString(text)) };
}

const output = [];
for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const request = JSON.parse(line);
  let result;
  try {
    result = request.train ? train(request) : request.charsmap ? normalize(request) : await encode(request);
  } catch (error) {
    result = { error: String(error?.message ?? error) };
  }
  output.push(JSON.stringify(result));
}
process.stdout.write(output.length ? output.join('\n') + '\n' : '');
