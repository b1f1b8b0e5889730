"""Prints the base64 precompiled_charsmap of a SentencePiece normalization rule (nmt_nfkc, nfkc, nmt_nfkc_cf,
nfkc_cf), for tests that hold src/Shared/Tokenization/Models/PrecompiledCharsMap.cs to Hugging Face's Precompiled.

SentencePiece stores the charsmap only inside a trained model, so this trains a tiny one in memory and reads
ModelProto.normalizer_spec (field 3).precompiled_charsmap (field 2) from its serialized bytes (no protobuf module
needed). Needs the sentencepiece module (Debian: python3-sentencepiece). Usage: spm-charsmap.py RULE_NAME
"""
import base64
import io
import sys

import sentencepiece

from protobuf_fields import fields


def main():
    rule = sys.argv[1]
    model = io.BytesIO()
    sentences = ["Hello world, the quick brown fox jumps over the lazy dog."] * 50
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=model, vocab_size=40, hard_vocab_limit=False,
        normalization_rule_name=rule, minloglevel=2)
    spec = next(value for number, wire, value in fields(model.getvalue()) if number == 3 and wire == 2)
    charsmap = next(value for number, wire, value in fields(spec) if number == 2 and wire == 2)
    print(base64.b64encode(charsmap).decode("ascii"))


if __name__ == "__main__":
    main()
