"""Text side: the CLIP byte-level BPE tokenizer, ``--prompt`` parsing, and the emotion prompts.

The tokenizer reads the CLIP merges file (``bpe_simple_vocab_16e6.txt.gz``), lower-cases and
splits text into letter runs, single digits, English contractions and runs of other symbols,
then merges byte symbols by rank. It differs from the reference only in skipping ``ftfy``'s
mojibake repair and in keeping the end-of-text token when a text is cut to 77 tokens.
No torch import here.
"""
from __future__ import annotations

import gzip
import html
import math
import re
import unicodedata
from functools import lru_cache
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ...errors import ParameterError

CONTEXT = 77
START, END = "<|startoftext|>", "<|endoftext|>"
_MERGES = 49152 - 256 - 2   # merges the vocabulary of 49408 entries uses
_CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")

#: EaMD's six emotion categories, in the order of every emotion array this package returns.
EMOTIONS = ("excited", "fearful", "neutral", "relaxed", "sad", "tense")
#: Zero-shot templates; each emotion's text embedding is the mean over its templates.
VISION_TEMPLATES = ("a movie scene that feels {}.", "a still from a film, the mood is {}.")
AUDIO_TEMPLATES = ("music that sounds {}.", "a film soundtrack, the mood is {}.")


@lru_cache(maxsize=1)
def _byte_table() -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    # Printable bytes stand for themselves; the others get characters from 256 up, in byte
    # order. The vocabulary lists the printable ones first, then the others.
    keep = [*range(33, 127), *range(161, 173), *range(174, 256)]
    rest = [b for b in range(256) if b not in set(keep)]
    symbols = {b: chr(b) for b in keep}
    symbols.update({b: chr(256 + i) for i, b in enumerate(rest)})
    by_byte = tuple(symbols[b] for b in range(256))
    vocab_order = tuple(symbols[b] for b in keep + rest)
    return by_byte, vocab_order


def byte_symbols() -> Tuple[str, ...]:
    """One printable character per byte value, so BPE never sees whitespace or control bytes."""
    return _byte_table()[0]


def _category(ch: str) -> str:
    return unicodedata.category(ch)[0]


def split_words(text: str) -> List[str]:
    """Pre-tokenise lower-cased text: special tokens, contractions, letter runs, single digits,
    and runs of anything else that is not whitespace."""
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        special = next((s for s in (START, END) if text.startswith(s, i)), None)
        contraction = next((c for c in _CONTRACTIONS if text.startswith(c, i)), None)
        if special or contraction:
            token = special or contraction
        elif _category(ch) == "L":
            j = i + 1
            while j < n and _category(text[j]) == "L":
                j += 1
            token = text[i:j]
        elif _category(ch) == "N":
            token = ch
        elif ch.isspace():
            i += 1
            continue
        else:
            j = i + 1
            while j < n and not text[j].isspace() and _category(text[j]) not in "LN":
                j += 1
            token = text[i:j]
        out.append(token)
        i += len(token)
    return out


def clean(text: str) -> str:
    """HTML entities decoded, whitespace collapsed, lower case."""
    text = html.unescape(html.unescape(text)).strip()
    return re.sub(r"\s+", " ", text).strip().lower()


class Tokenizer:
    """CLIP BPE tokenizer over the merges file at ``bpe_path`` (gzip text)."""

    def __init__(self, bpe_path: str):
        try:
            with gzip.open(bpe_path, "rt", encoding="utf-8") as fh:
                lines = fh.read().split("\n")[1:_MERGES + 1]
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise ParameterError(f"Cannot read the BPE vocabulary {bpe_path} "
                                 f"({exc.__class__.__name__}); it must be the gzip file "
                                 "bpe_simple_vocab_16e6.txt.gz.") from None
        merges = [tuple(line.split()) for line in lines]
        if len(merges) != _MERGES or any(len(m) != 2 for m in merges):
            raise ParameterError(f"{bpe_path} is not the CLIP BPE vocabulary "
                                 f"(expected {_MERGES} merges); use bpe_simple_vocab_16e6.txt.gz.")
        symbols = _byte_table()[1]
        vocab = [*symbols, *(s + "</w>" for s in symbols), *("".join(m) for m in merges),
                 START, END]
        self.ids: Dict[str, int] = {tok: i for i, tok in enumerate(vocab)}
        self.ranks: Dict[Tuple[str, str], int] = {m: i for i, m in enumerate(merges)}
        self._words: Dict[str, List[str]] = {START: [START], END: [END]}

    def _bpe(self, word: str) -> List[str]:
        if word in self._words:
            return self._words[word]
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        while len(parts) > 1:
            pairs = {(a, b) for a, b in zip(parts, parts[1:])}
            best = min(pairs, key=lambda p: self.ranks.get(p, math.inf))
            if best not in self.ranks:
                break
            merged, i = [], 0
            while i < len(parts):
                if i + 1 < len(parts) and (parts[i], parts[i + 1]) == best:
                    merged.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        self._words[word] = parts
        return parts

    def encode(self, text: str) -> List[int]:
        """Token ids of ``text`` without the start and end tokens."""
        symbols = byte_symbols()
        ids = []
        for word in split_words(clean(text)):
            mapped = "".join(symbols[b] for b in word.encode("utf-8"))
            ids.extend(self.ids[p] for p in self._bpe(mapped))
        return ids

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), 77)`` int64 ids: start, text (cut to fit), end-of-text, zeros."""
        return pad_ids([self.encode(t) for t in texts])


def pad_ids(encoded: Sequence[Sequence[int]], start: int = 49406, end: int = 49407) -> np.ndarray:
    """Wrap id lists in start/end tokens and zero-pad them to the context length."""
    out = np.zeros((len(encoded), CONTEXT), np.int64)
    for row, ids in zip(out, encoded):
        seq = [start, *list(ids)[:CONTEXT - 2], end]
        row[:len(seq)] = seq
    return out


def parse_prompt(spec: str) -> Tuple[str, float]:
    """``"car chase"`` -> ``("car chase", 1.0)``; ``"car chase:2"`` -> ``("car chase", 2.0)``.

    A negative weight pushes the selection away from matching shots. To keep a colon in the
    text, end the spec with an explicit weight (``"ratio 3:4:1"``).
    """
    text, weight = spec, 1.0
    head, sep, tail = spec.rpartition(":")
    if sep:
        try:
            weight = float(tail)
            text = head
        except ValueError:
            pass
    text = text.strip()
    if not text:
        raise ParameterError(f"Prompt {spec!r} has no text; use --prompt \"car chase\" or "
                             "--prompt \"car chase:2\".")
    if not math.isfinite(weight):
        raise ParameterError(f"Prompt weight in {spec!r} must be a finite number.")
    return text, weight


def emotion_prompts(modality: str) -> List[str]:
    """All zero-shot prompts for ``"vision"`` or ``"audio"``, emotion-major."""
    templates = VISION_TEMPLATES if modality == "vision" else AUDIO_TEMPLATES
    return [t.format(e) for e in EMOTIONS for t in templates]


def builtin_token_ids(prompts: Sequence[str]) -> np.ndarray:
    """Token ids of the built-in emotion prompts, so emotion tags need no vocabulary file."""
    missing = [p for p in prompts if p not in _BUILTIN_IDS]
    if missing:
        raise KeyError(f"not a built-in prompt: {missing[0]!r}")
    return pad_ids([_BUILTIN_IDS[p] for p in prompts])


# Generated once with Tokenizer over bpe_simple_vocab_16e6.txt.gz; tests re-derive them when the
# vocabulary file is available.
_BUILTIN_IDS: Dict[str, List[int]] = {
    'a movie scene that feels excited.': [320, 2016, 3562, 682, 4808, 1889, 269],
    'a still from a film, the mood is excited.':
        [320, 1170, 633, 320, 1860, 267, 518, 5394, 533, 1889, 269],
    'a movie scene that feels fearful.': [320, 2016, 3562, 682, 4808, 8744, 857, 269],
    'a still from a film, the mood is fearful.':
        [320, 1170, 633, 320, 1860, 267, 518, 5394, 533, 8744, 857, 269],
    'a movie scene that feels neutral.': [320, 2016, 3562, 682, 4808, 17011, 269],
    'a still from a film, the mood is neutral.':
        [320, 1170, 633, 320, 1860, 267, 518, 5394, 533, 17011, 269],
    'a movie scene that feels relaxed.': [320, 2016, 3562, 682, 4808, 18999, 269],
    'a still from a film, the mood is relaxed.':
        [320, 1170, 633, 320, 1860, 267, 518, 5394, 533, 18999, 269],
    'a movie scene that feels sad.': [320, 2016, 3562, 682, 4808, 3719, 269],
    'a still from a film, the mood is sad.':
        [320, 1170, 633, 320, 1860, 267, 518, 5394, 533, 3719, 269],
    'a movie scene that feels tense.': [320, 2016, 3562, 682, 4808, 23518, 269],
    'a still from a film, the mood is tense.':
        [320, 1170, 633, 320, 1860, 267, 518, 5394, 533, 23518, 269],
    'music that sounds excited.': [1179, 682, 5694, 1889, 269],
    'a film soundtrack, the mood is excited.': [320, 1860, 11389, 267, 518, 5394, 533, 1889, 269],
    'music that sounds fearful.': [1179, 682, 5694, 8744, 857, 269],
    'a film soundtrack, the mood is fearful.':
        [320, 1860, 11389, 267, 518, 5394, 533, 8744, 857, 269],
    'music that sounds neutral.': [1179, 682, 5694, 17011, 269],
    'a film soundtrack, the mood is neutral.': [320, 1860, 11389, 267, 518, 5394, 533, 17011, 269],
    'music that sounds relaxed.': [1179, 682, 5694, 18999, 269],
    'a film soundtrack, the mood is relaxed.': [320, 1860, 11389, 267, 518, 5394, 533, 18999, 269],
    'music that sounds sad.': [1179, 682, 5694, 3719, 269],
    'a film soundtrack, the mood is sad.': [320, 1860, 11389, 267, 518, 5394, 533, 3719, 269],
    'music that sounds tense.': [1179, 682, 5694, 23518, 269],
    'a film soundtrack, the mood is tense.': [320, 1860, 11389, 267, 518, 5394, 533, 23518, 269],
}
