// Builds tokenizers of every kind that ModernBERT-family checkpoints ship, with Hugging Face tokenizers (the npm
// package `tokenizers`, the Node binding of the Rust library) and SentencePiece (tests/tools/spm-unigram.py), for
// tests that hold src/Shared/Tokenization to the same library (tests/tools/hf-encode.mjs encodes with them).
// Usage: node hf-build-tokenizers.mjs OUTDIR
// Writes OUTDIR/<kind>/tokenizer.json and tokenizer_config.json for each kind, and prints the kinds' names, one a
// line. Models are trained on a small multilingual corpus, so that texts in other scripts meet unknown characters
// (unk tokens, byte fallback); every file is loaded back by the package before it is listed.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const toolsFolder = path.dirname(fileURLToPath(import.meta.url));
const repositoryRoot = path.resolve(toolsFolder, '..', '..');
const require = createRequire(path.join(repositoryRoot, '.tools', 'package.json'));
const tk = require('tokenizers');

const outdir = path.resolve(process.argv[2]);
fs.mkdirSync(outdir, { recursive: true });

const sentences = [
  'The quick brown fox jumps over the lazy dog, and the dog sleeps.',
  'Tokenizers split text into pieces; models turn pieces into ids. Numbers like 2026 and 3.14 appear too!',
  "Don't stop: it's the tokenizer's job to handle punctuation, (brackets) and \"quotes\".",
  'Crème brûlée, café, naïve façade, Ångström and Øresund are spelled with diacritics.',
  'Съешь же ещё этих мягких французских булок, да выпей чаю. Привет, мир!',
  'Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Γειά σου κόσμε.',
  '日本語のテキストと中文文本，还有한국어 문장도 있습니다。東京は大きい。',
  'مرحبا بالعالم، هذا نص عربي قصير. שלום עולם, זה טקסט בעברית.',
  'नमस्ते दुनिया, यह हिंदी में एक वाक्य है।',
  'HELLO World hello WORLD Hello world 12345 67890 the end.',
];
const corpus = path.join(outdir, 'corpus.txt');
fs.writeFileSync(corpus, Array.from({ length: 40 }, (_, i) => sentences.map((s) => (i % 2 ? s.toLowerCase() : s)).join('\n')).join('\n') + '\n');

/** Trains a model of `Model` with the given normalizer and pre-tokenizer; returns the tokenizer.json object. */
function train(Model, normalizer, preTokenizer) {
  const tokenizer = new tk.Tokenizer(Model.empty());
  if (normalizer) tokenizer.setNormalizer(normalizer);
  if (preTokenizer) tokenizer.setPreTokenizer(preTokenizer);
  tokenizer.train([corpus]);
  const file = path.join(outdir, 'trained.json');
  tokenizer.save(file);
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file);
  return json;
}

/** Adds tokens to an object vocabulary (BPE, WordPiece, WordLevel) after its last id; returns their ids. */
function addToVocab(json, tokens) {
  let next = Math.max(...Object.values(json.model.vocab)) + 1;
  const ids = {};
  for (const token of tokens) {
    if (!(token in json.model.vocab)) json.model.vocab[token] = next++;
    ids[token] = json.model.vocab[token];
  }
  return ids;
}

function addedToken(id, content, options = {}) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...options };
}

function template(cls, sep, ids) {
  const special = (id, typeId) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id, typeId) => ({ Sequence: { id, type_id: typeId } });
  return {
    type: 'TemplateProcessing',
    single: [special(cls, 0), sequence('A', 0), special(sep, 0)],
    pair: [special(cls, 0), sequence('A', 0), special(sep, 0), sequence('B', 1), special(sep, 1)],
    special_tokens: Object.fromEntries([cls, sep].map((t) => [t, { id: t, ids: [ids[t]], tokens: [t] }])),
  };
}

const built = [];
function write(kind, json, config) {
  const folder = path.join(outdir, kind);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(json));
  fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify(config));
  tk.Tokenizer.fromFile(path.join(folder, 'tokenizer.json'));
  built.push(kind);
}

const bertConfig = { cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]' };
const bertSpecials = ['[UNK]', '[CLS]', '[SEP]', '[PAD]', '[MASK]'];
function withBertSpecials(json, template_ = true) {
  const ids = addToVocab(json, bertSpecials);
  json.added_tokens = bertSpecials.map((t) => addedToken(ids[t], t, t === '[MASK]' ? { lstrip: true } : {}));
  if (template_) json.post_processor = template('[CLS]', '[SEP]', ids);
  return ids;
}

// Byte-level BPE as RoBERTa has it: prefix space, RobertaProcessing with trimmed offsets.
{
  const json = train(tk.BPE, null, tk.byteLevelPreTokenizer(true, true));
  const specials = ['<s>', '</s>', '<pad>', '<mask>'];
  const ids = addToVocab(json, specials);
  json.added_tokens = specials.map((t) => addedToken(ids[t], t, t === '<mask>' ? { lstrip: true } : {}));
  json.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };
  json.post_processor = { type: 'RobertaProcessing', sep: ['</s>', ids['</s>']], cls: ['<s>', ids['<s>']], trim_offsets: true, add_prefix_space: true };
  write('bytelevel-roberta', json, { cls_token: '<s>', sep_token: '</s>', pad_token: '<pad>' });

  // The same model without GPT-2's split, after NFKC, with the ByteLevel post-processor before a template.
  const noRegex = structuredClone(json);
  const bertIds = withBertSpecials(noRegex, false);
  noRegex.normalizer = { type: 'NFKC' };
  noRegex.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };
  noRegex.post_processor = { type: 'Sequence', processors: [
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }, template('[CLS]', '[SEP]', bertIds)] };
  write('bytelevel-noregex-nfkc', noRegex, bertConfig);
}

// Gemma's BPE (mmBERT): spaces become ▁, split after each ▁ run... byte fallback to <0xNN>, fused unknowns.
function gemma(vocabularySize) {
  const json = train(tk.BPE, tk.replace(' ', '\u2581'), null);
  json.normalizer = { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' };
  json.pre_tokenizer = { type: 'Split', pattern: { String: ' ' }, behavior: 'MergedWithPrevious', invert: false };
  const specials = ['<pad>', '<eos>', '<bos>', '<unk>', '<mask>'];
  const bytes = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  const ids = addToVocab(json, [...specials, ...bytes]);
  if (vocabularySize) {
    const filler = [];
    for (let i = Object.keys(json.model.vocab).length; i < vocabularySize; i++) filler.push(`<unused${i}>`);
    addToVocab(json, filler);
  }
  Object.assign(json.model, { byte_fallback: true, fuse_unk: true, unk_token: '<unk>' });
  json.added_tokens = specials.map((t) => addedToken(ids[t], t));
  json.post_processor = template('<bos>', '<eos>', ids);
  return json;
}
const gemmaConfig = { cls_token: '<bos>', sep_token: '<eos>', pad_token: '<pad>' };
write('gemma-bpe', gemma(0), gemmaConfig);
write('gemma-bpe-256k', gemma(256000), gemmaConfig);

// BERT's WordPiece: BertNormalizer (lowercase, accents stripped), BertPreTokenizer, BertProcessing.
{
  const json = train(tk.WordPiece, tk.bertNormalizer({ lowercase: true }), tk.bertPreTokenizer());
  const ids = withBertSpecials(json, false);
  json.normalizer = { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true };
  json.pre_tokenizer = { type: 'BertPreTokenizer' };
  json.post_processor = { type: 'BertProcessing', sep: ['[SEP]', ids['[SEP]']], cls: ['[CLS]', ids['[CLS]']] };
  write('wordpiece-bert', json, bertConfig);

  // Cased, accents kept, with punctuation runs, single digits and whitespace splits.
  const cased = structuredClone(json);
  cased.normalizer = { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: false };
  cased.pre_tokenizer = { type: 'Sequence', pretokenizers: [
    { type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Contiguous' }, { type: 'Digits', individual_digits: true }] };
  cased.post_processor = template('[CLS]', '[SEP]', ids);
  write('wordpiece-cased', cased, bertConfig);
}

// WordLevel after NFD, StripAccents and Lowercase, split by the Whitespace regex.
{
  const json = train(tk.WordLevel, null, tk.whitespacePreTokenizer());
  withBertSpecials(json);
  json.model.unk_token = '[UNK]';
  json.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' }] };
  json.pre_tokenizer = { type: 'Whitespace' };
  write('wordlevel-whitespace', json, bertConfig);

  // Every Split behaviour, inverted splits, a character delimiter, strip, regex replace, NFKD.
  const behaviours = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];
  behaviours.forEach((behavior, i) => {
    const split = structuredClone(json);
    split.normalizer = { type: 'Sequence', normalizers: [
      { type: i % 2 ? 'NFKD' : 'NFC' }, { type: 'Strip', strip_left: i !== 1, strip_right: i !== 2 },
      { type: 'Replace', pattern: { Regex: '[0-9]{3,}' }, content: '###' }, { type: 'Prepend', prepend: '>' }] };
    split.pre_tokenizer = { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: "\\p{P}+|'s" }, behavior, invert: i === 3 },
      { type: 'Split', pattern: { String: 'e' }, behavior, invert: false },
      { type: 'CharDelimiterSplit', delimiter: ' ' }] };
    write(`wordlevel-split-${behavior.toLowerCase()}`, split, bertConfig);
  });

  // Regexes whose meaning .NET's engine gives otherwise than Oniguruma's: line anchors, empty matches (a lookahead), '.' and \d
  // over characters outside the BMP.
  const semantics = structuredClone(json);
  semantics.normalizer = { type: 'Sequence', normalizers: [
    { type: 'Replace', pattern: { Regex: '\\d' }, content: '0' }, { type: 'Replace', pattern: { Regex: 'x.' }, content: 'X' }] };
  semantics.pre_tokenizer = { type: 'Sequence', pretokenizers: [
    { type: 'Split', pattern: { Regex: '^\\s+|\\s+$' }, behavior: 'Removed', invert: false },
    { type: 'Split', pattern: { Regex: '(?=[eé])' }, behavior: 'Isolated', invert: false },
    { type: 'Split', pattern: { Regex: 'e.' }, behavior: 'MergedWithNext', invert: false }] };
  write('wordlevel-split-regex-semantics', semantics, bertConfig);
}

// BPE with an unknown token and no post-processor, after NFKC and lowercase, split by scripts and digits.
{
  const json = train(tk.BPE, null, tk.whitespaceSplitPreTokenizer());
  const ids = addToVocab(json, ['[UNK]']);
  json.model.unk_token = '[UNK]';
  json.added_tokens = [addedToken(ids['[UNK]'], '[UNK]')];
  json.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] };
  json.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'UnicodeScripts' }, { type: 'Digits', individual_digits: false }] };
  json.post_processor = null;
  write('bpe-scripts-no-template', json, { cls_token: '[UNK]', sep_token: '[UNK]', pad_token: '[UNK]' });
}

// Unigram trained by tokenizers with Metaspace (prepend_scheme first), unknown token added.
{
  const json = train(tk.Unigram, null, tk.metaspacePreTokenizer('\u2581', 'first', true));
  json.model.vocab.push(['<unk>', -20], ['<s>', 0], ['</s>', 0]);
  const n = json.model.vocab.length;
  const ids = { '<unk>': n - 3, '<s>': n - 2, '</s>': n - 1 };
  json.model.unk_id = ids['<unk>'];
  json.added_tokens = Object.entries(ids).map(([t, id]) => addedToken(id, t));
  json.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }] };
  json.pre_tokenizer = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: true };
  json.post_processor = template('<s>', '</s>', ids);
  write('unigram-metaspace-first', json, { cls_token: '<s>', sep_token: '</s>', pad_token: '<unk>' });

  const never = structuredClone(json);
  never.pre_tokenizer = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'never', split: false };
  write('unigram-metaspace-never-nosplit', never, { cls_token: '<s>', sep_token: '</s>', pad_token: '<unk>' });
}

// SentencePiece Unigram converted as transformers does (Precompiled charsmap + Metaspace), prepend always and first.
for (const scheme of ['always', 'first']) {
  const kind = `sentencepiece-unigram-${scheme}`;
  execFileSync('/usr/bin/python3', [path.join(toolsFolder, 'spm-unigram.py'), corpus, path.join(outdir, kind), scheme], { stdio: 'inherit' });
  tk.Tokenizer.fromFile(path.join(outdir, kind, 'tokenizer.json'));
  built.push(kind);
}

process.stdout.write(built.join('\n') + '\n');
