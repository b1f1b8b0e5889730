// Prints, for every code point, which of Hugging Face tokenizers' character tests it passes (the npm package
// `tokenizers`, the Node binding of the Rust library), for tests that hold src/Shared/Tokenization/UnicodeCategories.cs
// to them. Four lines, each a JSON array of code points:
//   punctuation: BertPreTokenizer isolates it between two letters;
//   removed:     BertNormalizer's clean_text removes it from between two letters;
//   stripped:    BertNormalizer's strip_accents (NFD, then Mn removed) removes it after a letter;
//   marks:       StripAccents removes it after a letter.
// The package lives in the git-ignored .tools folder (scripts/test.sh installs it).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repositoryRoot, '.tools', 'package.json'));
const tk = require('tokenizers');

const bertPreTokenizer = tk.bertPreTokenizer();
const clean = tk.bertNormalizer({ cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false });
const strip = tk.bertNormalizer({ cleanText: false, handleChineseChars: false, stripAccents: true, lowercase: false });
const stripAccents = tk.stripAccentsNormalizer();
const punctuation = [], removed = [], stripped = [], marks = [];
for (let c = 0; c < 0x110000; c++) {
  if (c >= 0xD800 && c <= 0xDFFF) continue;
  const character = String.fromCodePoint(c);
  if (bertPreTokenizer.preTokenizeString('a' + character + 'a').length === 3) punctuation.push(c);
  if (clean.normalizeString('a' + character + 'a') === 'aa') removed.push(c);
  if (strip.normalizeString('a' + character) === 'a') stripped.push(c);
  if (stripAccents.normalizeString('a' + character) === 'a') marks.push(c);
}
for (const list of [punctuation, removed, stripped, marks]) console.log(JSON.stringify(list));
