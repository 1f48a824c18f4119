"""The model and organization names of one article, read in two passes.

The first pass finds what the gazetteer knows, the model names it can build (a family word
and a version, `Llama 3.2 8B`; a name and a parameter count, `Vicuna-13B`), and tentative
names (a model whose name is also an ordinary word: `Bard`, `Phi`). The article then teaches
the second pass: a word that started a model name in it (`Vicuna`, `MPT`) names its family
wherever it stands alone, as it does in "Vicuna is a fine-tune of LLaMA".

Which mentions stand: a tentative one when its context makes it a model ("the Bard chatbot",
"Google Bard", or a capitalized `Gopher` in an article that never uses "gopher" as a word);
an organization as pipeline/nlp/organizations.py says; never a licence ("MIT License").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..records import Topic
from .gazetteer import Gazetteer, Mention, Span
from .name_parts import TOKEN, VARIANTS, YEAR, has_digit
from .organizations import (
    described_as_no_entity,
    needs_evidence,
    never_an_organization,
    non_entity_phrases,
    not_a_model,
    proves_organization,
)
from .shorthand import complete_short_names

# "MIT License", "Apache-licensed", "an MIT or Apache 2.0 license": a licence's name.
LICENCE = re.compile(r"(?:[ -]+(?:or|and|/|,|Apache|BSD|GPL|\d(?:\.\d)?|v\d))*[ -]+"
                     r"(?:licen[cs]ed?|licen[cs]es)\b", re.IGNORECASE)
PRODUCT_NUMBER = re.compile(r" (?P<number>\d+[A-Za-z]*|[A-Za-z]{1,2}\d+[A-Za-z\d]*)\b")
CITED_AUTHOR = re.compile(r"\s+et al\b")
MODEL_CUE = re.compile(r"^[\s-]+(?:models?|chatbots?|LLMs?|language models?|checkpoints?|"
                       r"weights)\b(?!\s+(?:the|a|an|its|their|how|what)\b)")
COMPOUND = {"-", "/", "_", "."}
BACKBONE = re.compile(r"[ -](?P<spec>(?:ViT|RN)-?[A-Za-z0-9]*\d*(?:/\d+)?)(?![\w/-])")
CHECKPOINT_ID = re.compile(r"(?<![\w/.@-])[a-z][a-z0-9]*(?:-[A-Za-z0-9.]*[A-Za-z0-9]){2,}"
                           r"(?![\w/@-])")
SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|[\"“(]\s*)$")
BY_MAKER = re.compile(r"^\s*\(by\s")
DESCRIBED_AS_MODEL = re.compile(
    r"^(?:\s+v?\d+(?:\.\d+)*)?(?:(?:,|:|\s+[-—–])\s+|\s*\(\s*)(?:also\s+|now\s+)?"
    r"(?:a|an|the)\s+"
    r"(?:[\w.()-]+\s+){0,6}?(?:model|fine-?tune[sd]?|finetune[sd]?|LLM|chatbot|variant|"
    r"checkpoint)\b")
MODELS_LIKE = re.compile(r"\bmodels?,?\s+(?:(?:like|such as|including)\s+|\(\s*e\.g\.,?\s*)$")
LISTED = re.compile(r",\s+(?:and\s+|or\s+)?|\s+(?:and|or|vs\.?|versus)\s+|\s*/\s*")
# spaCy's labels for things that are no model: dates and quantities. The small model also
# calls a name it does not know a person or a place (`Vicuna`, `Alpaca`), so only a full
# name (two words or more) labelled PERSON counts as a person.
NOT_MODEL_ENTITIES = {"DATE", "TIME", "MONEY", "QUANTITY", "PERCENT", "CARDINAL", "ORDINAL"}
MIN_FAMILY_CHARS = 3
PHRASE_REACH = 40  # characters around a mention searched for a product name holding it


@dataclass(frozen=True)
class Words:
    """Ordinary words: those the article writes in lower case (`prose`), and those plus the
    language model's own vocabulary (`common`). A capitalized common word (`Harness`,
    `Powerful`) is no evidence of a name; a rarer one (`Vicuna`, `Koala`) may be."""

    prose: frozenset[str]
    common: frozenset[str]
    terms: frozenset[str] = frozenset()  # terms the article defines (acronyms.py)


def find_mentions(gazetteer: Gazetteer, texts: Sequence[str], words: Words,
                  entities: Sequence[Sequence[Span]]) -> list[list[Mention]]:
    """Every mention in each of `texts` (title first, then the body's blocks), both passes.
    `entities` are spaCy's entity spans of each text (people and places are no models)."""
    found = [list(gazetteer.find(text, ordinary=words.common)) for text in texts]
    families = _families(gazetteer, found, words.prose) | _unseen_models(
        gazetteer, texts, found, entities, words)
    if families:
        named = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(families))) + r")\b")
        found = [list(gazetteer.find(text, families, words.common)) if named.search(text)
                 else mentions for text, mentions in zip(texts, found, strict=True)]
    found = [_with_backbones(text, [*mentions, *_checkpoint_ids(gazetteer, text, mentions)])
             for text, mentions in zip(texts, found, strict=True)]
    return complete_short_names(gazetteer, texts, found)


def _checkpoint_ids(gazetteer: Gazetteer, text: str, mentions: list[Mention]) -> list[Mention]:
    """Checkpoints named by their id in prose (`all-MiniLM-L6-v2`, `gtr-t5-large`,
    `jina-embeddings-v2-small-en`): a lowercase-led id of three parts or more, one with a
    digit, and one that names a model (a known model's word, an inner capital, or
    `embedding`). An id led by a tool's name is its plugin (`llm-claude-3`), not a model."""
    taken = [(m.start, m.end) for m in mentions]
    found = []
    for match in CHECKPOINT_ID.finditer(text):
        parts = match.group().split("-")
        if _overlaps(*match.span(), taken) or not_a_model(parts[0]) or not any(
                map(has_digit, parts)) or not any(_names_a_model(gazetteer, p) for p in parts):
            continue
        found.append(Mention(Topic(match.group(), "Model"), *match.span()))
    return found


def _with_backbones(text: str, mentions: list[Mention]) -> list[Mention]:
    """`CLIP ViT-L/14`, `CLIP RN50`: a vision model named with its backbone is that variant
    (and the backbone no model of its own)."""
    kept: list[Mention] = []
    end = -1
    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.start < end:
            continue
        spec = BACKBONE.match(text, mention.end)
        if spec and mention.topic.category == "Model" and not mention.tentative:
            topic = mention.topic
            mention = Mention(Topic(f"{topic.name} {spec['spec']}", "Model",
                                    organization=topic.organization), mention.start, spec.end())
            end = spec.end()
        kept.append(mention)
    return kept


def _names_a_model(gazetteer: Gazetteer, part: str) -> bool:
    known = gazetteer.lookup([part]) or gazetteer.lookup([part.upper()])
    return (known is not None and known.category == "Model") or part.lower().startswith(
        "embed") or any(c.isupper() for c in part[1:])


def stands(text: str, mention: Mention, plain_words: frozenset[str],
           licence_table: bool = False) -> bool:
    """Whether a mention counts as a topic of the article; never an author cited as
    "Yi et al.", whose name is a model's or an organization's. `licence_table`: `text` is a
    row of a table that names licences."""
    if CITED_AUTHOR.match(text, mention.end):
        return False
    if mention.topic.category != "Organization":
        return _is_model_here(text, mention, plain_words) if mention.tentative else True
    if _names_a_licence(text, mention, licence_table) or _names_a_product(text, mention):
        return False
    if mention.tentative:
        return proves_organization(text, mention.start, mention.end)
    return _is_organization_here(text, mention, plain_words)


def _families(gazetteer: Gazetteer, found: list[list[Mention]],
              plain_words: frozenset[str]) -> frozenset[str]:
    """Words that started a model name the gazetteer did not know as a whole, and that are
    no ordinary word of the article and no name the gazetteer knows alone."""
    heads = set()
    for mentions in found:
        for mention in mentions:
            if mention.topic.category != "Model" or mention.tentative:
                continue
            tokens = TOKEN.findall(mention.topic.name)
            head = tokens[0] if tokens else ""
            if len(tokens) > 1 and _is_family_word(head, plain_words) \
                    and head.lower() not in VARIANTS \
                    and gazetteer.lookup([head]) is None \
                    and not gazetteer.family_organization(head)[0]:
                heads.add(head)
    return frozenset(heads)


def _unseen_models(gazetteer: Gazetteer, texts: Sequence[str], found: list[list[Mention]],
                   entities: Sequence[Sequence[Span]], words: Words) -> frozenset[str]:
    """Names the gazetteer does not know that the article shows to be models: "Pythia (by
    EleutherAI)", "Koala, a chat-tuned LLaMA model", "the IDEFICS models", or a name listed
    among known models ("LLaMA, Alpaca, Bard, PaLM"). A plain word (`Koala`) needs more
    proof than a name no dictionary has (`IDEFICS`, `CodeGemma`, `SigLIP2`)."""
    proven = set()
    for text, mentions, spans in zip(texts, found, entities, strict=True):
        taken = [(m.start, m.end) for m in mentions] + _not_model_spans(text, spans)
        for token in TOKEN.finditer(text):
            if _overlaps(token.start(), token.end(), taken) or not _may_be_unseen_model(
                    gazetteer, text, token, words):
                continue
            if _model_context(gazetteer, text, token, mentions, words.common):
                proven.add(token.group())
    return frozenset(proven)


def _not_model_spans(text: str, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """People, places and dates spaCy saw, and the tools and products of the lists."""
    taken = [(s.start, s.end) for s in spans if s.label in NOT_MODEL_ENTITIES
             or (s.label == "PERSON" and " " in text[s.start:s.end].strip())]
    return taken + [(m.start(), m.end()) for m in non_entity_phrases().finditer(text)]


def _may_be_unseen_model(gazetteer: Gazetteer, text: str, token: re.Match[str],
                         words: Words) -> bool:
    word = token.group()
    if len(word) < MIN_FAMILY_CHARS or not word[:1].isupper() or word.lower() in words.prose:
        return False
    if text[token.start() - 1:token.start()] in COMPOUND or text[token.end():token.end() + 1] \
            in COMPOUND:
        return False  # a piece of a longer name or id: `X-Gen`, `R1-Zero`, `TheBloke/mpt`
    if gazetteer.lookup([word]) is not None or not_a_model(word) or word in words.terms:
        return False
    return _distinctive(word, words.common) or not SENTENCE_START.search(
        text[:token.start()][-3:])


def _distinctive(word: str, common: frozenset[str]) -> bool:
    """A name no dictionary has: digits, inner capitals, an acronym, or a rare word."""
    return (not word.isalpha() or any(c.isupper() for c in word[1:]) or word.isupper()
            or word.lower() not in common)


def _model_context(gazetteer: Gazetteer, text: str, token: re.Match[str],
                   mentions: list[Mention], common: frozenset[str]) -> bool:
    start, end, word = token.start(), token.end(), token.group()
    after = text[end:end + 80]
    if described_as_no_entity(after):
        return False
    if BY_MAKER.match(after) or DESCRIBED_AS_MODEL.match(after):
        return True
    distinctive = _distinctive(word, common) or word.lower() in gazetteer.first_words
    before = text[max(0, start - 40):start]
    if distinctive and (MODEL_CUE.match(after) or MODELS_LIKE.search(before)):
        return True
    rare_word = word.isalpha() and word[1:].islower() and not {
        word.lower(), word.lower().removesuffix("s")} & common  # `Podcasts` is a plural
    if rare_word and any(m.topic.category == "Organization" and text[m.end:start] == " "
                         for m in mentions):
        return True  # "Stanford Alpaca": a maker, then a name no dictionary has
    models = [m for m in mentions if m.topic.category == "Model" and not m.tentative]
    listed_before = any(LISTED.fullmatch(text[m.end:start]) for m in models)
    listed_after = any(LISTED.fullmatch(text[end:m.start]) for m in models)
    return listed_before and listed_after or (distinctive and (listed_before or listed_after))


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)


def _is_family_word(word: str, plain_words: frozenset[str]) -> bool:
    return (len(word) >= MIN_FAMILY_CHARS and word[:1].isupper() and word.isalpha()
            and word.lower() not in plain_words)


def _is_model_here(text: str, mention: Mention, plain_words: frozenset[str]) -> bool:
    surface = text[mention.start:mention.end]
    before = text[max(0, mention.start - 60):mention.start]
    maker = mention.topic.organization
    if MODEL_CUE.match(text[mention.end:mention.end + 60]):
        return True
    if maker and before.rstrip().removesuffix("'s").removesuffix("’s").endswith(maker):
        return True
    return surface.lower() not in plain_words and not SENTENCE_START.search(before)


def _is_organization_here(text: str, mention: Mention, plain_words: frozenset[str]) -> bool:
    """A platform, publication or dataset name, or a name the article also writes as an
    ordinary word ("perplexity"), must be seen acting as an organization."""
    name, word = mention.topic.name, text[mention.start:mention.end]
    if never_an_organization(name) or never_an_organization(word) or _in_a_product_name(
            text, mention):
        return False
    if needs_evidence(name) or needs_evidence(word) or word.lower() in plain_words:
        return proves_organization(text, mention.start, mention.end)
    return True


def _in_a_product_name(text: str, mention: Mention) -> bool:
    """`Amazon` in "Amazon Bedrock", `Google` in "Google Colab": the product, not its maker
    (a platform named alone, "Google Cloud", is no longer phrase around itself)."""
    start = max(0, mention.start - PHRASE_REACH)
    return any(m.start() <= mention.start - start and mention.end - start <= m.end()
               and m.end() - m.start() > mention.end - mention.start
               for m in non_entity_phrases().finditer(text[start:mention.end + PHRASE_REACH]))


def _names_a_product(text: str, mention: Mention) -> bool:
    """`Motorola 68k`, `Intel 8086`: a maker's name with a model number is its product."""
    number = PRODUCT_NUMBER.match(text, mention.end)
    return bool(number) and not YEAR.match(number["number"])


def _names_a_licence(text: str, mention: Mention, licence_table: bool) -> bool:
    """`MIT License`, `Apache licence`: the name of a licence, not its organization; so is
    a cell that holds only the name in a table of licences (`| MIT |` beside `| Apache
    2.0 |`)."""
    before, after = text[:mention.start].rstrip(), text[mention.end:].lstrip()
    alone = before[-1:] in ("", "|") and after[:1] in ("", "|")
    return bool(LICENCE.match(text, mention.end)) or (licence_table and alone)
