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


def fields(message: bytes):
    """Yields (field number, wire type, value) of a serialized protobuf message."""
    position = 0

    def varint():
        nonlocal position
        result, shift = 0, 0
        while True:
            byte = message[position]
            position += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return result

    while position < len(message):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            yield number, wire, varint()
        elif wire == 1:
            yield number, wire, message[position:position + 8]
            position += 8
        elif wire == 2:
            length = varint()
            yield number, wire, message[position:position + length]
            position += length
        elif wire == 5:
            yield number, wire, message[position:position + 4]
            position += 4
        else:
            raise ValueError(f"unexpected wire type {wire}")


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
