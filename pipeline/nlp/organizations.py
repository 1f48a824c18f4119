"""Which names in an article are organizations.

A name is an Organization topic when it is a known organization (the gazetteer, the extra
organizations list, the vault's topic notes), or when its context proves it: a legal suffix
("Foo Inc."), an organization's people, acts or products ("Foo's researchers", "Foo
announced", "engineers at Foo", "Foo's new model"), or an apposition ("Foo, a startup").
A name that is a known language, protocol, format, package index, developer tool, product
or model never is. A known
organization mostly named for what it makes (a platform such as Twitter or GitHub, a
publication such as The Verge, a dataset such as Common Crawl) needs the same proof as an
unknown name: "a thread on Twitter" names the site, "Twitter laid off half its staff" the
company.

The lists are in pipeline/data/not_entities.json (docs/ORGANIZATIONS.md).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from ..records import Topic
from ..resources import load_json
from .gazetteer import TOKEN, Gazetteer, Mention, Span

ACTS = (  # what companies do; not what people also do (say, write, post, join)
    r"announced|announces|released|releases|launched|launches|acquired|acquires|bought|buys|"
    r"raised|raises|hired|hires|laid off|lays off|sued|sues|partnered|partners|invested|"
    r"invests|unveiled|unveils|introduced|introduces|open[- ]sourced|trained|trains|built|"
    r"builds|developed|develops|published|publishes|banned|bans|shut down|shuts down|offers|"
    r"offered|sells|sold|owns|owned|employs|funded|funds|co-founded|spun out|merged|filed|"
    r"shipped|ships|donated|sponsored|sponsors|collaborated|teamed up"
)
PEOPLE = (
    r"CEO|CTO|CFO|COO|chief|founders?|co-?founders?|president|chair(?:man|woman)?|"
    r"spokes(?:person|man|woman)|employees?|staff|engineers?|researchers?|scientists?|team|"
    r"board|investors?|lawyers?|executives?|leadership|management|headquarters|"
    r"shareholders?|stock|shares|valuation|revenue|acquisition|IPO|lab|labs"
)
KINDS = (
    r"company|startup|start-up|lab|laboratory|firm|organi[sz]ation|non-?profit|charity|"
    r"university|college|institute|foundation|agency|consultancy|publisher|maker|vendor|"
    r"provider|studio|collective|group|business|corporation|subsidiary|team|research group"
)
MAKES = r"models?|research|researchers|paper|papers|weights|release|releases|products?|chips?|GPUs?"
POSSESSION = re.compile(rf"^(?:'s|’s)\s+(?:new\s+|latest\s+|own\s+)?(?:[A-Z][\w.-]*|(?:{MAKES})\b)")
LEGAL_SUFFIX = re.compile(
    r"^,?\s+(?:Inc|Corp|Corporation|Ltd|Limited|LLC|PLC|GmbH|AG|S\.?A|Co|LLP|L\.?P)\b")
AFTER = re.compile(
    rf"^(?:'s|’s|s’)?\s+(?:(?:{PEOPLE})\b|(?:(?:has|have|had|is|was|will|would|just|also|"
    rf"recently|quietly|then|now|reportedly|officially|today)\s+)*(?:{ACTS})\b)")
APPOSITION = re.compile(rf"^\s*(?:,|\(|—|–| -)\s*(?:a|an|the)\s+(?:[\w.&'-]+\s+){{0,5}}?"
                        rf"(?:{KINDS})\b", re.IGNORECASE)
# "companies like X", "cloud providers such as X and Y": each name listed after it.
EXAMPLES_OF_KIND = (r"\b(?:companies|providers|vendors|labs|startups|firms|organi[sz]ations|"
                    r"publishers|sponsors|partners) (?:like|such as|including)"
                    r"(?:\s+[A-Z][\w.&'-]*(?: [A-Z][\w.&'-]*)*(?:,| and| or|, and))*")
BEFORE = re.compile(
    rf"(?:\b(?:{PEOPLE})\s+(?:at|from|of)|\b(?:acquired|funded|backed|owned|built|developed|"
    rf"released|made|trained|created|founded|published|sponsored|run|operated|led|bought|"
    rf"open-sourced|announced|organi[sz]ed|hosted|supported) by|"
    rf"\b(?:models?|datasets?|papers?|benchmarks?|checkpoints?)"
    rf"(?: (?:for|of|on|about) [a-z][\w-]*(?: [a-z][\w-]*)?)? by|"
    rf"\b(?:joined|left|join|leave|leaving|joining)|"
    rf"\bworks? (?:at|for)|\bworked (?:at|for)|\bjob at|\bpartnership with|\bpartnered with|"
    rf"\bdeal with|\binvestments? in|\binvested in|\bstake in|\bacquisition of|\bsued|"
    rf"\b(?:the|a|an) (?:{KINDS})|{EXAMPLES_OF_KIND}|\(by)\s+$",
    re.IGNORECASE)
ORG_NAME = (r"(?=[\w.&'-]*[A-Za-z][\w.&'-]*[A-Za-z])[A-Z0-9][\w&'-]*(?:\.[A-Za-z]+)?"
            r"(?: (?:[A-Z][\w&'-]*|&|of|for|de))*?")
NAME_END = r"(?=[\s,;:)(.!?'’]|$)"
# The strongest proofs, naming the organization themselves: they find the names spaCy's NER
# does not see ("the team at Replicate", "SOLAR (by Upstage)", "his company Sentry").
NAMED = [re.compile(pattern) for pattern in (
    rf"\b(?:{PEOPLE}) (?:at|of|from) (?P<name>{ORG_NAME}){NAME_END}",
    rf"\b(?:acquired|funded|backed|owned|built|developed|released|made|trained|created|"
    rf"founded|published|sponsored|supported|organi[sz]ed|hosted|run|operated|led|"
    rf"open-sourced) by (?P<name>{ORG_NAME}){NAME_END}",
    rf"\(by (?P<name>{ORG_NAME})\)",
    rf"\b(?:the|a|an|his|her|their|its|our|my) (?:company|startup|start-up|firm|lab|"
    rf"non-?profit|organi[sz]ation) (?P<name>{ORG_NAME}){NAME_END}",
    rf"\b(?:partnered|partnership|collaboration|teamed up|deal) with (?P<name>{ORG_NAME})"
    rf"{NAME_END}",
    rf"(?P<name>{ORG_NAME}),? (?:Inc|Corp|Ltd|LLC|GmbH|PLC)\b",
)]
# "BM25, a classic retrieval scoring function", "the NVIDIA Omniverse platform", "Image
# Transformer (Parmar et al., 2018)": a method, a product or a paper's contribution.
NO_ENTITY_KINDS = (r"function|algorithm|method|technique|loss|metric|score|objective|approach|"
                   r"dataset|benchmark|library|framework|toolkit|tool|format|protocol|platform|"
                   r"plugin|extension|engine|app|service|SDK|API")
APPOSITION_OF_KIND = (rf",\s+(?:a|an|the)\s+(?:(?!models?\b|fine-?tune|LLM|chatbot)[\w.-]+\s+)"
                      rf"{{0,5}}?(?:{NO_ENTITY_KINDS})\b")
# A paper's citation after a name: "(Parmar et al., 2018)", "(Vinyals & Le, 2015)".
CITATION = (r"\s*\(\s*(?:[A-Z][\w'’-]+,?\s+(?:(?:&|and)\s+)?)+"
            r"(?:et al\b|\d{4}\b)")
DESCRIBED_AS_NO_ENTITY = re.compile(
    rf"^(?:{APPOSITION_OF_KIND}|\s+(?:{NO_ENTITY_KINDS})\b|{CITATION})")
NUMBERS = {"CARDINAL", "ORDINAL", "DATE", "QUANTITY"}
AFFILIATION = re.compile(rf"\s*\((?P<name>{ORG_NAME})\)")
CONTEXT = 120  # characters read on each side of a mention
THE = re.compile(r"^[Tt]he ")
CORPORATE_WORDS = {
    "Inc", "Corp", "Corporation", "Co", "Ltd", "LLC", "PLC", "GmbH", "AG", "SA", "Labs", "Lab",
    "Technologies", "Technology", "Systems", "Robotics", "Games", "Interactive", "Partners",
    "Capital", "Ventures", "Institute", "Foundation", "Initiative", "Association", "Alliance",
    "Communications", "Networks", "Group", "Holdings", "Bank", "University", "Research", "AI",
    "Studios", "Media", "Motors", "Pharmaceuticals", "Therapeutics", "Semiconductor",
    "Electronics", "Airlines", "Software", "Solutions", "Industries", "Enterprises", "Company",
}
CORPORATE_SUFFIX = re.compile(r",? (?:Inc|Corp|Co|Ltd|LLC|PLC|GmbH|AG|S\.?A)\.?$")
NAME_LIKE = re.compile(r"^[A-Z][\w&.'-]*(?: [A-Z&][\w&.'-]*){0,4}$")


@cache
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    data = load_json("not_entities.json")
    never = frozenset(name for names in data["never"].values() for name in names)
    needing = frozenset(name for names in data["evidence_needed"].values() for name in names)
    return never, needing


def never_an_organization(name: str) -> bool:
    """A language, protocol, format, package index, tool, product or event by that name."""
    return name in _lists()[0]


def not_a_model(name: str) -> bool:
    """A language, tool, product, platform, publication, or an architecture or method
    (`Transformer`, `LoRA`): never an unseen model's name."""
    never, needing = _lists()
    return name in never or name in needing or name in _methods()


@cache
def non_entity_phrases() -> re.Pattern[str]:
    """The lists' names of more than one word, as written (`Core ML`, `Open LLM
    Leaderboard`): none of their words starts a model's or an organization's name."""
    never, needing = _lists()
    phrases = sorted((n for n in never | needing | _methods() if " " in n), key=len,
                     reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, phrases)) + r")(?!\w)")


@cache
def _methods() -> frozenset[str]:
    return frozenset(load_json("not_entities.json")["not_models"])


def described_as_no_entity(after: str) -> bool:
    """Whether the words after a name make it a method, a product or a cited paper's
    contribution rather than a model or an organization."""
    return bool(DESCRIBED_AS_NO_ENTITY.match(after))


def needs_evidence(name: str) -> bool:
    """An organization usually named for its platform, publication or dataset."""
    return name in _lists()[1]


def proves_organization(text: str, start: int, end: int) -> bool:
    """Whether the words around text[start:end] show it acting or described as an
    organization."""
    before, after = text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]
    return bool(LEGAL_SUFFIX.match(after) or AFTER.match(after) or POSSESSION.match(after)
                or APPOSITION.match(after) or BEFORE.search(before))


class StatisticalOrgs:
    """ORG entities of spaCy that overlap no gazetteer name, look like names, are no known
    non-organization, and are proven organizations by their context (or a corporate word
    ending a proper name: `Ceres Robotics`) at least once in the article."""

    def __init__(self, gazetteer: Gazetteer, common_words: frozenset[str],
                 terms: frozenset[str] = frozenset(), models: frozenset[str] = frozenset()
                 ) -> None:
        self.gazetteer = gazetteer
        self.common_words = common_words
        self.terms = terms
        self.models = models  # the names of the article's models
        self.seen: Counter[str] = Counter()
        self.proven_names: set[str] = set()

    def read(self, text: str, spans: list[Span], mentions: list[Mention]) -> None:
        taken = [(m.start, m.end) for m in mentions]
        for span in spans:
            if span.label != "ORG" or _overlaps(span.start, span.end, taken):
                continue
            if text[span.end:span.end + 2].startswith(".") and text[span.end + 1:][:1].isalpha():
                continue  # the start of a domain name: `Fly` of Fly.io
            words = " ".join(text[span.start:span.end].split())
            name = CORPORATE_SUFFIX.sub("", THE.sub("", words))
            name = name.removesuffix("'s").removesuffix("’s")
            if not NAME_LIKE.match(name) or self._known_otherwise(name):
                continue
            self.seen[name] += 1
            if self._proven(name, text, span):
                self.proven_names.add(name)

    def read_named(self, text: str, taken: list[tuple[int, int]]) -> None:
        """Names the strongest proofs name, where spaCy saw none: a platform too ("supported
        by Fly.io"), since the proof is the evidence it needs."""
        for pattern in NAMED:
            for match in pattern.finditer(text):
                start, end = match.span("name")
                name = THE.sub("", match["name"]).removesuffix("'s").removesuffix("’s")
                if _overlaps(start, end, taken) or self._not_organization(name) or (
                        " " not in name and name.lower() in self.common_words):
                    continue
                self.seen[name] += 1
                self.proven_names.add(name)

    def read_affiliations(self, text: str, spans: list[Span], taken: list[tuple[int, int]]
                          ) -> None:
        """"Jane Doe (Acme Robotics)": the organization a named person is introduced by."""
        for span in spans:
            if span.label != "PERSON" or " " not in text[span.start:span.end].strip():
                continue
            match = AFFILIATION.match(text, span.end)
            if match is None or _overlaps(*match.span("name"), taken + [
                    (s.start, s.end) for s in spans if s.label in NUMBERS]):
                continue  # "(Part Two)" of a title spaCy took for a person
            name = match["name"]
            if self._not_organization(name) or (" " not in name
                                               and name.lower() in self.common_words):
                continue
            self.seen[name] += 1
            self.proven_names.add(name)

    def proven(self) -> Counter[Topic]:
        return Counter({Topic(name, "Organization"): self.seen[name]
                        for name in self.proven_names})

    def _known_otherwise(self, name: str) -> bool:
        """Never an organization, or one that needs more proof than spaCy's label."""
        return needs_evidence(name) or self._not_organization(name)

    def _not_organization(self, name: str) -> bool:
        known = self.gazetteer.lookup(TOKEN.findall(name))
        return never_an_organization(name) or name in self.terms or (
            known is not None and known.category != "Organization") or self._starts_a_model(name)

    def _starts_a_model(self, name: str) -> bool:
        """`Falcon Mamba` where the article names `Falcon Mamba 7B`: the model without its
        size. A one-word maker starts its models' names (`Mistral 7B`), so only a name of
        two words or more counts."""
        return " " in name and any(model.startswith(name + " ") for model in self.models)

    def _proven(self, name: str, text: str, span: Span) -> bool:
        """An ordinary word (`Arm`, `Amnesty`) needs a legal suffix or an apposition; other
        names any proof, or a corporate word after a name no dictionary has; none counts
        for a name described as a method or product, or cited as a paper's."""
        if described_as_no_entity(text[span.end:span.end + CONTEXT]):
            return False
        if " " not in name and name.lower() in self.common_words:
            after = text[span.end:span.end + CONTEXT]
            return bool(LEGAL_SUFFIX.match(after) or APPOSITION.match(after))
        return proves_organization(text, span.start, span.end) or self._corporate(name)

    def _corporate(self, name: str) -> bool:
        words = name.split()
        return len(words) > 1 and words[-1] in CORPORATE_WORDS and not any(
            w.lower() in self.common_words for w in words[:-1])


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)
