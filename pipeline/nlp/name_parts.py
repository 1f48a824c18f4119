"""The words model names are made of: versions, sizes, variants and tunings, and how a
release's name is read as its model (`Mistral-7B-v0.1` is Mistral 7B,
`Llama 3 8B Instruct` is Llama 3 8B, docs/LABELLING.md). pipeline/nlp/gazetteer.py builds
names from them."""

from __future__ import annotations

import re

from ..records import Topic

TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+]*[A-Za-z0-9+]|[A-Za-z0-9]")
JOINERS = {" ", "-", "_", "·", "\u2011", "'", "’", " & ", "&"}
SIZE = re.compile(r"^(?:\d+(?:\.\d+)?[bBmMkKtT]|\d+[xX]\d+[bB]|[aA]\d+[bB])$")
VERSION = re.compile(r"^(?:[vV]?\d{1,2}(?:\.\d+)*[a-z]?|[rR]\d)$")
FIRST_VERSION = re.compile(r"^[vV]?1(?:\.0)?$")
THOUSANDS = re.compile(r"^\d+(?:\.\d+)?[kK]$")
YEAR = re.compile(r"^(?:19|20)\d\d$")
# 7B, 1.1B, 256M, 8x7B; a single-digit M is a count of rows or tokens (`LMSYS-Chat-1M`)
PARAMETERS = re.compile(r"^(?:\d+(?:\.\d+)?[bB]|\d{2,}(?:\.\d+)?[mM]|\d+[xX]\d+[bB])$")
# Words before a size that are not a model's name: "a 7B model", "Top 3B", "with 70B".
NOT_NAME_WORDS = {
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "for", "with", "from",
    "up", "over", "under", "about", "around", "than", "our", "its", "their", "his", "her",
    "this", "that", "these", "those", "each", "every", "all", "both", "only", "just", "new",
    "top", "size", "sizes", "sized", "model", "models", "version", "versions", "variant",
    "parameter", "parameters", "params", "param", "tokens", "token", "total", "series",
    "round", "raised", "valued", "worth", "usd", "eur", "gpu", "gpus", "ram", "vram",
    "memory", "dataset", "datasets", "section", "table", "figure", "fig", "step", "steps",
    "layer", "layers", "is", "was", "are", "were", "be", "has", "have", "had", "it", "we",
    "you", "they", "some", "many", "most", "more", "less", "same", "other", "another",
    "sub", "super", "non", "pre", "post",
}
TUNINGS = {"instruct", "chat"}  # a tuning of a model, named like the model
VARIANTS = {
    "coder", "instruct", "turbo", "flash", "pro", "mini", "sonnet", "opus", "haiku", "vision",
    "chat", "large", "small", "medium", "nano", "ultra", "lite", "plus", "max", "preview",
    "math", "vl", "omni", "thinking", "reasoning", "distill", "exp", "moe",
}


def is_first_release(text: str, family: re.Match[str], version: re.Match[str]) -> bool:
    return text[family.end():version.start()] == " " and bool(FIRST_VERSION.match(version.group()))


def release_tokens(tokens: list[re.Match[str]]) -> list[re.Match[str]]:
    """The tokens that name the model in a release's name: an instruct or chat tuning and a
    release tag after the size (`Mistral-7B-v0.1`, `Llama-2-7b-chat`) name the same model
    (docs/LABELLING.md)."""
    kept: list[re.Match[str]] = []
    for token in tokens:
        word = token.group()
        if word.lower() in TUNINGS or (kept and VERSION.match(word) and any(
                PARAMETERS.match(k.group()) for k in kept)):
            continue
        kept.append(token)
    return kept


def named_like(known: Topic, matched: list[re.Match[str]], added: list[re.Match[str]]) -> str:
    """A new model named after the known one it extends: `Gemini Flash 1.5 8B` is written
    as `Gemini 1.5 Flash 8B`, the known model's spelling plus what the text adds."""
    if known.category == "Model" and len(matched) > 1:
        rest = spelled([matched[-1], *added])[len(matched[-1].group()):]
        return known.name + (" " + rest[1:] if " " in known.name else rest)
    return spelled([*matched, *added])


def spelled(tokens: list[re.Match[str]]) -> str:
    """Tokens of a name as the text joins them, one space where words were left out."""
    text = tokens[0].string
    pieces = [tokens[0].group()]
    for previous, token in zip(tokens, tokens[1:], strict=False):
        gap = text[previous.end():token.start()]
        pieces.append(gap if gap in JOINERS else " ")
        pieces.append(token.group())
    return "".join(pieces)


def is_model_suffix(token: str) -> bool:
    """A version, size or variant; never a year, nor a count in thousands (`LLaVA 150K`,
    `GPT-4 8k`: a data set's size or a context length)."""
    if YEAR.match(token) or THOUSANDS.match(token):
        return False
    return bool(SIZE.match(token) or VERSION.match(token)) or token.lower() in VARIANTS


def is_name_word(tokens: list[re.Match[str]], i: int, ordinary: frozenset[str]) -> bool:
    """A word that can be part of a model's name: an acronym or a mixed-case word; a
    capitalized word, unless it is an ordinary one standing apart (`Powerful 8B`, where
    `Falcon-40B` is a name); a lower-case one only hyphened to the next (`falcon-40b`)."""
    word = tokens[i].group()
    if not word[:1].isalpha() or len(word) < 2 or word.lower() in NOT_NAME_WORDS:
        return False
    gap = tokens[i].string[tokens[i].end():tokens[i + 1].start()] if i + 1 < len(tokens) else ""
    if word.isupper() or any(c.isupper() for c in word[1:]) or not word.isalpha():
        return True
    if word[:1].isupper():
        return gap in ("-", "_") or word.lower() not in ordinary
    return gap in ("-", "_")


# The sizes research releases name by word (`GPT-2 Medium`, `T5-XXL`). `base` is the
# smaller size of a model named without a version (`BERT-base`, `RoBERTa-base`); after a
# version (`Idefics2-base`) it names a pretrained checkpoint, not a size.
SIZE_TIERS = {"small", "medium", "large", "xl", "xxl"}
UNVERSIONED_SIZE_TIERS = SIZE_TIERS | {"base"}


def is_size_tier(tokens: list[re.Match[str]], known: Topic) -> bool:
    """A size word hyphened to a model (`BERT-large`, `BERT-base`), or capitalized after one
    whose name has a version (`GPT-2 XL`); but `Whisper large` is prose, after a parameter
    count (`Falcon3-7B-Large`) the word is a release tag, and before a date or another part
    of an id (`siglip2-large-patch16`) part of a checkpoint's name."""
    word = tokens[-1]
    text = word.string
    joined = text[word.start() - 1:word.start()] == "-"
    tiers = SIZE_TIERS if has_digit(known.name) else UNVERSIONED_SIZE_TIERS
    return (word.group().lower() in tiers
            and (joined or (word.group()[:1].isupper() and has_digit(known.name)))
            and not re.match(r"[-_/]|\s\d", text[word.end():word.end() + 2])
            and not any(PARAMETERS.match(t.group()) for t in tokens))


def has_digit(token: str) -> bool:
    return any(c.isdigit() for c in token)
