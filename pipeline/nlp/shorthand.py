"""Model names written short once the article has named the family, and one topic per
model per article.

"Haiku 3.5" after Claude is Claude 3.5 Haiku; "Nova Lite" after Amazon Nova is Amazon Nova
Lite; "Gemini 1.5 models: Pro, Flash and Flash-8B" names three Gemini 1.5 models. A short
form is completed with a model the article names (the nearest before it first), and the
gazetteer says what the completed name is; a variant word alone (`Pro`) is read only right
after its model, in the same list. "Gemini Pro" in an article that names Gemini 1.5 Pro is
that model, not a second topic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..records import Topic
from .gazetteer import Gazetteer, Mention
from .name_parts import SIZE, TOKEN, TUNINGS, VARIANTS, VERSION

LIST_GAP = re.compile(r"^(?:\s*(?:[:,;/]|and|or|&)\s*)+$")
NEAR = 120  # characters between a model and the bare variants that follow it


def complete_short_names(gazetteer: Gazetteer, texts: Sequence[str],
                         found: list[list[Mention]]) -> list[list[Mention]]:
    """The mentions of every text, with short forms completed by the article's models."""
    context = [(number, m) for number, mentions in enumerate(found) for m in mentions
               if m.topic.category == "Model" and not m.tentative and not _is_short(m.topic.name)]
    if not context:
        return found
    return [_completed(gazetteer, text, mentions,
                       [m for n, m in context if n == number], [m for _, m in context])
            for number, (text, mentions) in enumerate(zip(texts, found, strict=True))]


def one_topic_per_model(counts: Counter[Topic]) -> Counter[Topic]:
    """A model named without its version (`Gemini Pro`) is the one model of the article
    that adds only a version to it (`Gemini 1.5 Pro`)."""
    models = [t for t in counts if t.category == "Model"]
    merged: Counter[Topic] = Counter()
    for topic, n in counts.items():
        fuller = [m for m in models if m != topic and _adds_a_version(topic, m)]
        merged[fuller[0] if len(fuller) == 1 and topic.category == "Model" else topic] += n
    return merged


def _completed(gazetteer: Gazetteer, text: str, mentions: list[Mention],
               here: list[Mention], context: list[Mention]) -> list[Mention]:
    """`here`: the article's models in this text; `context`: in the whole article."""
    family_words = {t.lower() for m in context for t in TOKEN.findall(m.topic.name)[1:]}
    kept = [m for m in mentions if not _is_short(m.topic.name)]
    taken = [(m.start, m.end) for m in kept]
    for start, end, words in _short_runs(text, family_words, taken):
        if any(text[m.end:start] in (" ", "-") or text[end:m.start] in (" ", "-")
               for m in kept):
            continue  # a word the name before it did not take: "Llama 3 8B Instruct"
        near = [m for m in reversed(here) if m.end <= start and start - m.end <= NEAR
                and _listed_after(text, m, start)]
        for model in near:  # the next item of a list: any name the family would take
            topic = _complete(gazetteer, model.topic, words, new_allowed=True)
            if topic is not None:
                break
        else:  # elsewhere: a name the gazetteer knows, for a short form that says more
            specific = any(VERSION.match(w) or SIZE.match(w) or w.lower() in family_words
                           for w in words)
            topic = next((t for m in reversed(context) if specific
                          and (t := _complete(gazetteer, m.topic, words)) is not None), None)
        if topic is not None:
            completed = Mention(topic, start, end)
            kept.append(completed)
            here.append(completed)  # the next item of a list follows this one
    return sorted(kept, key=lambda m: m.start)


def _listed_after(text: str, model: Mention, start: int) -> bool:
    """Whether the short form follows the model as the next item of a list, or after a
    few words and a colon ("Gemini 1.5 models: Pro, Flash")."""
    between = text[model.end:start]
    return bool(LIST_GAP.match(between)) or (between.count(":") == 1 and len(between.split()) <= 4
                                             and between.rstrip().endswith(":"))


def _short_runs(text: str, family_words: set[str], taken: list[tuple[int, int]]):
    """Runs of words a short name is made of: variant words (`Haiku`, `Lite`), versions,
    sizes, and words of a model the article named (`Nova` of Amazon Nova)."""
    tokens = [t for t in TOKEN.finditer(text)
              if not any(s < t.end() and t.start() < e for s, e in taken)]
    run: list[re.Match[str]] = []
    for token in [*tokens, None]:
        if token is not None and _is_short_word(token.group(), family_words) and (
                not run or text[run[-1].end():token.start()] in (" ", "-")):
            run.append(token)
            continue
        if run and any(w.group()[:1].isupper() for w in run):
            yield run[0].start(), run[-1].end(), [w.group() for w in run]
        run = [token] if token is not None and _is_short_word(token.group(), family_words) \
            else []


def _is_short_word(word: str, family_words: set[str]) -> bool:
    return (word.lower() in VARIANTS and word[:1].isupper()) or word.lower() in family_words \
        or bool(VERSION.match(word) or SIZE.match(word))


def _complete(gazetteer: Gazetteer, model: Topic, words: list[str],
              new_allowed: bool = False) -> Topic | None:
    """The model `words` name beside `model`: a known one, or (`new_allowed`), for a model
    family, a new one named like the full form would be. A tuning (`Instruct`) is the
    model itself, never a sibling."""
    base = TOKEN.findall(model.name)
    while len(base) > 1 and base[-1].lower() in VARIANTS:
        base.pop()  # Gemini 1.5 Pro → Gemini 1.5: its sibling is Gemini 1.5 Flash
    added = [w for w in words if w.lower() not in {b.lower() for b in base} | TUNINGS]
    if not added:
        return None
    known = gazetteer.lookup([*base, *added])
    if known is not None and known.category == "Model":
        return known
    if new_allowed and gazetteer.family_organization(base[0])[0] and any(
            w.lower() in VARIANTS or SIZE.match(w) for w in added):
        return Topic(" ".join([*base, *added]), "Model", organization=model.organization)
    return None


def _is_short(name: str) -> bool:
    """A name made only of variant words, versions and sizes (`Flash-8B`, `Pro`)."""
    tokens = TOKEN.findall(name)
    return bool(tokens) and all(t.lower() in VARIANTS or VERSION.match(t) or SIZE.match(t)
                                for t in tokens)


def _adds_a_version(short: Topic, full: Topic) -> bool:
    short_tokens = [t.lower() for t in TOKEN.findall(short.name)]
    full_tokens = [t.lower() for t in TOKEN.findall(full.name)]
    extra = [t for t in full_tokens if t not in short_tokens]
    return (len(short_tokens) >= 2 and set(short_tokens) <= set(full_tokens) and bool(extra)
            and all(VERSION.match(t) and not SIZE.match(t) for t in extra))
