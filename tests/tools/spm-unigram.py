#!/usr/bin/env python3
"""Trains a SentencePiece Unigram model (whose proto holds the precompiled_charsmap of its nmt_nfkc normalization) on
the corpus file given, and writes OUTDIR/tokenizer.json the way transformers' SpmConverter converts such a model:
Precompiled + Replace normalizers, a Metaspace pre-tokenizer, the Unigram model with its scores, <s> $A </s>.
Run by tests/tools/hf-build-tokenizers.mjs with /usr/bin/python3 (which has sentencepiece).
Usage: spm-unigram.py CORPUS OUTDIR PREPEND_SCHEME
"""
import base64
import json
import os
import sys

import sentencepiece as spm

from protobuf_fields import fields


def main(corpus, outdir, prepend_scheme):
    os.makedirs(outdir, exist_ok=True)
    prefix = os.path.join(outdir, "spm")
    spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, vocab_size=250, hard_vocab_limit=False, model_type="unigram",
                                   character_coverage=0.9995, normalization_rule_name="nmt_nfkc", minloglevel=2)
    proto = open(prefix + ".model", "rb").read()
    charsmap = b""
    for number, _, value in fields(proto):
        if number == 3:  # normalizer_spec
            for inner, _, inner_value in fields(value):
                if inner == 2:  # precompiled_charsmap
                    charsmap = inner_value
    assert charsmap, "the model has no precompiled_charsmap"
    processor = spm.SentencePieceProcessor(model_file=prefix + ".model")
    vocab = [[processor.id_to_piece(i), processor.get_score(i)] for i in range(processor.get_piece_size())]
    special = {"<unk>": processor.unk_id(), "<s>": processor.bos_id(), "</s>": processor.eos_id()}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            for t, i in special.items()
        ],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        ]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": prepend_scheme, "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "</s>", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [i], "tokens": [t]} for t, i in special.items()},
        },
        "decoder": None,
        "model": {"type": "Unigram", "unk_id": processor.unk_id(), "vocab": vocab, "byte_fallback": False},
    }
    with open(os.path.join(outdir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    with open(os.path.join(outdir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"cls_token": "<s>", "sep_token": "</s>", "pad_token": "<unk>"}, f)
    os.remove(prefix + ".model")
    os.remove(prefix + ".vocab")


if __name__ == "__main__":
    main(*sys.argv[1:4])
