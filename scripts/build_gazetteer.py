#!/usr/bin/env python3
"""Build pipeline/data/gazetteer.json from the shared ai-models reference tables.

    python scripts/build_gazetteer.py /work/shared/data/ai-models -o pipeline/data/gazetteer.json

The package never reads the shared tables at run time: it ships the JSON this script writes.
The raw tables list every host's rename of every model ("AU Anthropic Claude Opus 4.6",
"gpt-oss:120b", "Qwen3 235B A22B Instruct 2507 FP8"), so the script cleans names, groups
the spellings of one model, picks a display name and a maker, and then applies the
hand-curated pipeline/data/gazetteer_overrides.json. docs/GAZETTEER.md explains each step.
Stdlib only, and deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OVERRIDES = REPO / "pipeline" / "data" / "gazetteer_overrides.json"
DEFAULT_LIBRARY = REPO / "scripts" / "sources" / "library_models.tsv"
NOT_ENTITIES = REPO / "pipeline" / "data" / "not_entities.json"

# The tagger's tokens (pipeline/nlp/gazetteer.py): two surfaces with the same lowercased token
# run are one surface to it, so aliases are deduplicated and checked on this key.
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+]*[A-Za-z0-9+]|[A-Za-z0-9]")

# Trailing words that say how a host serves a model, not which model it is.
HOST_NOISE = {
    "tee", "fp4", "fp8", "fp16", "bf16", "int4", "int8", "awq", "gguf", "mlx", "4bit", "4-bit",
    "6bit", "q4_k_m", "iq4_xs", "free", "latest", "original", "cheaper", "lightning", "flex",
    "highspeed", "ultraspeed", "speed", "throughput", "dynamic", "cs", "fw", "hf", "raw",
    "classic", "versatile", "instant", "generate", "fast",
}
# Trailing words for a mode, effort level, release stage or tuning of the same model.
VARIANT_NOISE = {
    "instruct", "it", "chat", "thinking", "think", "nothink", "nothinking", "reasoning", "non",
    "reasoner", "preview", "exp", "experimental", "beta", "alpha", "high", "low", "xhigh",
}
# Date stamps (2024-08-06, 20240307, 250615, 0125, 25.01), context sizes (128k), v0.x.
DATE_WORD = re.compile(
    r"^(?:(?:19|20)\d\d-\d\d-\d\d|20\d{6}|2[3-6][01]\d[0-3]\d|\d{4}|2[3-6]\.(?:0[1-9]|1[0-2])"
    r"|\d+[kK]|v0\.\d+)$"
)
DATE_SUFFIX = re.compile(r"[\s-]+\d\d[-/]\d{2,4}$")
ANYWHERE_NOISE = re.compile(r"(?:^|[\s-])(?:instruct|it|preview|exp|experimental)(?=[\s-]|$)", re.I)
EFFORT = re.compile(r"[\s-]+think(?:ing)?[\s-]+(?:low|medium|high|max)$", re.I)
SEPARATOR = re.compile(r"([\s-]+)")
SNAPSHOT = re.compile(r"(?:19|20)\d\d-?\d\d-?\d\d|-\d{4}$|-\d\d-\d\d$")
SNAPSHOT_TAIL = re.compile(r"-(?:preview|exp|\d{4}|\d{6,8}|(?:19|20)\d\d-\d\d-\d\d|\d\d-\d\d)$")
API_ID = re.compile(r"[a-z][a-z0-9.]*(?:-[a-z0-9.]+)+")


@dataclass
class Row:
    """One source row after cleaning: the prose form, the model it names, and its maker."""

    surface: str
    name: str
    organization: str | None
    source: str
    ids: tuple[str, ...] = ()
    family: str = ""


@dataclass
class Entity:
    """A gazetteer entry under construction: `candidates` are generated surfaces still to
    be filtered, `pinned` are surfaces the overrides insist on."""

    name: str
    category: str = "Model"
    organization: str | None = None
    candidates: set[str] = field(default_factory=set)
    pinned: set[str] = field(default_factory=set)
    ambiguous: bool = False
    curated: bool = False
    aliases: set[str] = field(default_factory=set)


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    overrides = json.loads(args.overrides.read_text(encoding="utf-8"))
    entities = build(args.folder, overrides, args.library)
    args.output.write_text(render(entities, overrides["source"]), encoding="utf-8")
    models = sum(1 for e in entities if e.category == "Model")
    flagged = sum(1 for e in entities if e.ambiguous)
    aliases = sum(len(e.aliases) for e in entities)
    print(f"{args.output}: {len(entities)} entities ({models} models, "
          f"{len(entities) - models} organizations; {flagged} ambiguous), {aliases} aliases")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the ai-models folder (models.csv, ...)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--overrides", type=Path, default=DEFAULT_OVERRIDES)
    parser.add_argument("--library", type=Path, default=DEFAULT_LIBRARY,
                        help="a model library's model names (extract_library_models.py)")
    return parser.parse_args(argv)


def build(folder: Path, overrides: dict, library: Path = DEFAULT_LIBRARY) -> list[Entity]:
    """Every step in order; the overrides come after the rules so hand knowledge wins."""
    orgs = OrgMapper(overrides, _read(folder / "organizations.csv"))
    owners = _family_owners(_read(folder / "families.csv"), orgs)
    cleaner = NameCleaner(overrides)
    rows = list(_models_dev_rows(_read(folder / "models.csv"), orgs, cleaner))
    known = {token_key(r.name) for r in rows}
    epoch = _read(folder / "notable_models.csv")
    rows += _epoch_rows(epoch, orgs, cleaner, overrides["epoch_since"], known)
    by_key = {key: _entity(group, owners) for key, group in _grouped(rows).items()}
    _warn_stale(overrides, by_key)
    for spec in overrides["entities"]:
        _apply(spec, by_key)
    models = _kept(by_key.values(), overrides)
    models += _unsized_parents(models)
    entities = models + _organizations(models)
    entities += _listed_organizations(_read(folder / "organizations.csv"), orgs, entities)
    entities += _library_models(_read_names(library), entities, overrides)
    for entity in entities:
        entity.aliases = entity.pinned | _useful_aliases(entity)
    _drop_colliding_aliases(entities)
    return sorted(entities, key=lambda e: (e.category, e.name.lower(), e.name))


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class OrgMapper:
    """Source organization names → canonical names; None for academia and dropped makers.

    Universities and public institutes publish many one-off research models; as topic notes
    they would be noise. organizations.csv is read to warn about stale org_map keys.
    """

    def __init__(self, overrides: dict, table: list[dict[str, str]]) -> None:
        self.mapping: dict[str, str | None] = overrides["org_map"]
        self.academic = re.compile(overrides["academic_pattern"])
        stale = sorted(set(self.mapping) - {row["organization"] for row in table})
        if stale:
            print(f"warning: org_map names not in organizations.csv: {', '.join(stale)}")

    def canonical(self, raw: str) -> str | None:
        raw = raw.strip()
        if raw in self.mapping:
            return self.mapping[raw]
        return None if not raw or self.academic.search(raw) else raw


def _family_owners(table: list[dict[str, str]], orgs: OrgMapper) -> dict[str, str]:
    """The maker of most models in each models.dev family, to settle ties between makers."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in table:
        org = orgs.canonical(row["creator_org"])
        if org:
            counts[row["family"]][org] += int(row["n_models"])
    return {family: _top(counter) for family, counter in counts.items()}


def _top(counter: Counter[str]) -> str:
    return min(counter, key=lambda k: (-counter[k], k))


class NameCleaner:
    """Turns host display names into the surface a writer uses and the model it names."""

    def __init__(self, overrides: dict) -> None:
        words = "|".join(re.escape(p) for p in overrides["strip_prefixes"])
        self.prefix = re.compile(rf"^(?:{words})[\s-]+(?=\S)", re.IGNORECASE)
        self.brands: dict[str, list[str]] = overrides["brand_prefixes"]
        words = "|".join(re.escape(m) for m in overrides["drop_markers"])
        self.markers = re.compile(rf"(?<![a-z])(?:{words})(?![a-z])", re.IGNORECASE)

    def is_community(self, name: str) -> bool:
        """Merged or uncensored fine-tunes that models.dev credits to the base model's lab."""
        return bool(self.markers.search(name.replace("-", " ")))

    def surface(self, name: str, organization: str | None) -> str:
        """Strip what never appears in prose: parentheses, regions, host prefixes and tiers."""
        text = name.replace("·", "-").replace("–", " ").replace("@", "-").replace(":", " ")
        text = re.sub(r"\([^)]*\)", " ", text).replace("[", " ").replace("]", " ")
        text = re.sub(r"(\d)_(\d)", r"\1.\2", text).split("/")[0]
        if text == text.lower():
            text = dotted(text)
        text = re.sub(r"\s+", " ", text).strip(" -")
        while (stripped := self.prefix.sub("", text)) != text and not _is_word(stripped):
            text = stripped
        text = _strip_trailing(EFFORT.sub("", text), lambda word: word.lower() in HOST_NOISE)
        return self._branded(text, organization)

    def _branded(self, text: str, organization: str | None) -> str:
        """"Nova Pro" alone is vague; Amazon's own name for it is "Amazon Nova Pro"."""
        if text.split(" ")[0] in self.brands.get(organization or "", ()):
            return f"{organization} {text}"
        return text

    @staticmethod
    def identity(surface: str) -> str:
        """Drop variant words and date stamps, which name a snapshot or mode of one model."""
        text = re.sub(r"\binstruct[\s-]+turbo\b", "", surface, flags=re.IGNORECASE)
        text = DATE_SUFFIX.sub("", ANYWHERE_NOISE.sub("", text).strip(" -"))
        return _strip_trailing(text, _is_variant_word)


def _is_variant_word(word: str) -> bool:
    lowered = word.lower()
    return lowered in VARIANT_NOISE or lowered in HOST_NOISE or bool(DATE_WORD.match(word))


def _strip_trailing(text: str, is_noise: Callable[[str], bool]) -> str:
    """Remove noise words from the end, one at a time, always keeping the first word."""
    parts = SEPARATOR.split(text)
    while len(parts) > 2 and is_noise(parts[-1]):
        parts = parts[:-2]
    return "".join(parts).strip(" -")


def _is_word(name: str) -> bool:
    """One plain alphabetic word ("Whisper", "Five") may be ordinary English."""
    return bool(re.fullmatch(r"[A-Z]?[a-z]+", name))


SIZED = re.compile(r"^(?P<stem>.*?)[\s-]+\d+(?:\.\d+)?[BM]$")


def dotted(text: str) -> str:
    """Anthropic-style ids spell versions with hyphens: claude-3-5-sonnet is Claude 3.5."""
    return re.sub(r"(?<=\D)-(\d)-(\d)(?=-|$)", r"-\1.\2", text)


def token_key(name: str) -> tuple[str, ...]:
    """Which model a name means, ignoring word order, `v` prefixes, `.0` and MoE shapes.

    "Claude Sonnet 3.5" and "Claude 3.5 Sonnet", "Qwen3 30B A3B" and "Qwen 3 30B",
    "Gemini 3.0 Pro" and "Gemini 3 Pro" get one key.
    """
    words: list[str] = []
    for token in TOKEN.findall(name.lower()):
        split = re.fullmatch(r"([a-z]{2,})(\d[\d.]*)", token)
        for word in split.groups() if split else (token,):
            word = re.sub(r"^(\d+)\.0$", r"\1", re.sub(r"^v(?=\d)", "", word))
            if not re.fullmatch(r"a\d+(?:\.\d+)?b|\d+e", word):
                words.append(word)
    return tuple(sorted(words))


def plain_key(name: str) -> str:
    """The tagger's matching key: its tokens, lowercased and run together."""
    return "".join(token.lower() for token in TOKEN.findall(name))


def _models_dev_rows(table: list[dict[str, str]], orgs: OrgMapper,
                     cleaner: NameCleaner) -> Iterator[Row]:
    """models.dev rows with a known maker, each with the API ids that may show in prose."""
    for row in table:
        org = orgs.canonical(row["creator_org"])
        if org is None or cleaner.is_community(row["name"]) or cleaner.is_community(row["id"]):
            continue
        surface = cleaner.surface(row["name"], org)
        ids = (_api_id(row["name"]), _api_id(row["id"].rsplit("/", 1)[-1]))
        yield Row(surface, cleaner.identity(surface), org, "models.dev",
                  tuple(i for i in ids if i), row["family"])


def _api_id(text: str) -> str | None:
    """A lowercase id a writer might paste (claude-3-5-sonnet-20240620), minus host dressing."""
    text = re.sub(r"^(?:(?:us|eu|au|jp|apac|global)\.)?[a-z0-9]+\.(?=[a-z])", "", text)
    text = re.sub(r"(?:-v\d)?(?::\w+)+$", "", text).replace("@", "-")
    if not API_ID.fullmatch(text):
        return None
    last = text.rsplit("-", 1)[-1]
    return None if last in HOST_NOISE or last in VARIANT_NOISE else text


def _epoch_rows(table: list[dict[str, str]], orgs: OrgMapper, cleaner: NameCleaner,
                since: str, known: set[tuple[str, ...]]) -> Iterator[Row]:
    """Epoch AI's notable models made with a lab (not by academia alone), published since
    `since`, credited to the first lab Epoch lists (`BlenderBot 3`: McGill, Meta AI, Mila).

    Epoch also lists research artefacts named by a phrase ("Table Tennis Agent") or a
    combination ("VQGAN + CLIP"); those are kept only if models.dev knows the same name,
    or, for a phrase, a model named by its first word (`Llama Guard`).
    """
    for row in table:
        if row["publication_date"] < since or " + " in row["model"]:
            continue
        org = next(filter(None, map(orgs.canonical, row["organization"].split(","))), None)
        if org is None or cleaner.is_community(row["model"]):
            continue
        surface = cleaner.surface(row["model"], org)
        name = cleaner.identity(surface)
        if token_key(name) in known or not _is_phrase(name) or _starts_a_family(name, known):
            yield Row(surface, name, org, "epoch")


FAMILY_MIN_NAMES = 3  # models.dev names holding a word before it counts as a family


def _starts_a_family(name: str, known: set[tuple[str, ...]]) -> bool:
    """`Llama Guard`: a phrase whose first word is in several models.dev names (`Llama 3.1 8B`)."""
    first = re.split(r"[\s-]+", name)[0].lower()
    return sum(1 for key in known if first in key) >= FAMILY_MIN_NAMES


def _is_phrase(name: str) -> bool:
    words = re.split(r"[\s-]+", name)
    return len(words) > 1 and all(re.fullmatch(r"[A-Z]?[a-z]+", w) for w in words)


def _grouped(rows: list[Row]) -> dict[tuple[str, ...], list[Row]]:
    groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    for row in rows:
        groups[token_key(row.name)].append(row)
    return groups


def _entity(rows: list[Row], owners: dict[str, str]) -> Entity:
    """One model from all its spellings: the most common capitalized name and maker win."""
    preferred = [r for r in rows if r.source == "models.dev"] or rows
    capitalized = Counter(r.name for r in preferred if r.name[:1].isupper())
    name = _top(capitalized or Counter(r.name for r in preferred))
    spelled = {text for r in rows for text in (r.surface, r.name) if text != text.lower()}
    candidates = spelled | {i for r in rows for i in r.ids}
    return Entity(name, "Model", _maker(preferred, owners), candidates)


def _maker(rows: list[Row], owners: dict[str, str]) -> str | None:
    """The organization most rows credit; a tie goes to the owner of the model's family."""
    votes = Counter(r.organization for r in rows if r.organization)
    if not votes:
        return None
    best = max(votes.values())
    tied = sorted(org for org, n in votes.items() if n == best)
    families = Counter(r.family for r in rows if r.family)
    owner = owners.get(_top(families)) if families else None
    return owner if owner in tied else tied[0]


def _warn_stale(overrides: dict, by_key: dict[tuple[str, ...], Entity]) -> None:
    """Name `drop` and `merge` entries that match no generated entity: after a refresh of
    the tables they are either obsolete or need the new spelling."""
    merged = (m for spec in overrides["entities"] for m in spec.get("merge", ()))
    names = [*overrides["drop"], *merged]
    stale = sorted({n for n in names if token_key(n) not in by_key})
    if stale:
        print(f"warning: overrides name no generated entity: {', '.join(stale)}")


def _apply(spec: dict, by_key: dict[tuple[str, ...], Entity]) -> None:
    """Fold every generated entity the spec names (by name, alias or merge) into one.

    `aliases` are pinned surfaces: always kept. `merge` names entities to absorb without
    keeping their names as surfaces ("Firefly" into "Adobe Firefly").
    """
    pinned = set(spec.get("aliases", ()))
    names = [spec["name"], *sorted(pinned), *spec.get("merge", ())]
    merged = [by_key.pop(k) for k in dict.fromkeys(map(token_key, names)) if k in by_key]
    entity = merged[0] if merged else Entity(spec["name"])
    for other in merged[1:]:
        entity.candidates |= other.candidates | {other.name}
        entity.organization = entity.organization or other.organization
    entity.candidates.add(entity.name)
    entity.name = spec["name"]
    entity.category = spec.get("category", "Model")
    entity.organization = spec.get("organization", entity.organization)
    entity.candidates -= set(spec.get("merge", ()))
    entity.pinned |= pinned
    entity.ambiguous = spec.get("ambiguous", False)
    entity.curated = True
    by_key[token_key(spec["name"])] = entity


def _kept(entities: Iterable[Entity], overrides: dict) -> list[Entity]:
    """Drop what the overrides list, then apply the generic rules to uncurated models.

    A model named like its maker ("DeepSeek", "Runway") is left to the Organization entity;
    an all-lowercase name is a host catalogue slug ("usdcode", "voyage-3.5") unless curated;
    a model named by one plain word ("Spotlight") is flagged ambiguous unless the overrides
    call it distinctive.
    """
    entities = list(entities)
    dropped = {token_key(name) for name in overrides["drop"]}
    makers = {plain_key(e.organization) for e in entities if e.organization}
    distinctive = set(overrides["distinctive"])
    kept = []
    for entity in entities:
        if token_key(entity.name) in dropped:
            continue
        if not entity.curated and entity.category == "Model":
            slug = entity.name == entity.name.lower()
            if entity.organization is None or slug or plain_key(entity.name) in makers:
                continue
            entity.ambiguous = _is_word(entity.name) and entity.name not in distinctive
        kept.append(entity)
    return kept


def _unsized_parents(models: list[Entity]) -> list[Entity]:
    """The model a sized release belongs to (`Aya Expanse` of `Aya Expanse 8B`), which
    writers name on its own; a stem that ends in another model's name (`E5 Mistral`,
    `DeepSeek R1 Distill Qwen`) names a fine-tune's base, never a model."""
    known = {token_key(s) for e in models for s in (e.name, *e.candidates, *e.pinned)}
    first_words = {re.split(r"[\s-]+", e.name)[0].lower() for e in models}
    parents: dict[tuple[str, ...], Entity] = {}
    for entity in models:
        match = SIZED.match(entity.name)
        words = re.split(r"[\s-]+", match["stem"]) if match else []
        if len(words) < 2 or words[-1].lower() in first_words or token_key(
                match["stem"]) in known:
            continue
        parents.setdefault(token_key(match["stem"]),
                           Entity(match["stem"], "Model", entity.organization))
    return list(parents.values())


def _organizations(entities: list[Entity]) -> list[Entity]:
    """An Organization entity for every maker a kept model names and overrides did not."""
    have = {e.name for e in entities if e.category == "Organization"}
    needed = {e.organization for e in entities if e.organization and e.category == "Model"}
    return [Entity(name, "Organization") for name in sorted(needed - have)]


def _listed_organizations(table: list[dict[str, str]], orgs: OrgMapper,
                          entities: list[Entity]) -> list[Entity]:
    """Every other organization of organizations.csv, universities included: a model list
    names them as makers, and articles name them as actors (docs/LABELLING.md). A name of
    plain words (`Magic`, `Physical Intelligence`) is flagged ambiguous: the tagger takes it
    only as written and where the context proves an organization."""
    have = {plain_key(s) for e in entities for s in (e.name, *e.pinned, *e.candidates)}
    listed: dict[str, Entity] = {}
    for row in table:
        raw = row["organization"].strip()
        if raw in orgs.mapping:
            continue  # mapped to a canonical maker, or dropped on purpose
        name, aliases = _organization_surfaces(raw)
        if not name or plain_key(name) in have or plain_key(name) in listed:
            continue
        aliases = {a for a in aliases if plain_key(a) not in have}
        listed[plain_key(name)] = Entity(name, "Organization", pinned=aliases,
                                         ambiguous=_is_plain_phrase(name))
    return list(listed.values())


def _read_names(path: Path) -> list[str]:
    """The display names of a TSV of (type, name) rows; `#` lines are provenance."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[1] for line in lines if line and not line.startswith("#")]


# A library's names for its classes rather than its models: `CLIPTextModel`, `Gemma3nAudioEncoder`.
CLASS_NAME = re.compile(r"[a-z0-9](?:Vision|Text|Audio)?(?:Model|Encoder|Backbone|Transformer"
                        r"|ForCausalLM|ForConditionalGeneration|QFormer)$|\s(?:QFormer|Encoder)$")


def _library_models(names: list[str], entities: list[Entity], overrides: dict) -> list[Entity]:
    """Architectures a model library implements (`XLNet`, `SigLIP`, `LLaVA-NeXT`) that the
    tables lack: research posts name them bare. Their makers are not listed, so they get
    none. A short name (`BART`, `ViT`) is flagged ambiguous: prose uses such names for
    other things."""
    known = {plain_key(s) for e in entities for s in (e.name, *e.pinned, *e.candidates)}
    known |= {plain_key(name) for name in _never_models()}
    families = {TOKEN.findall(e.name)[0].lower() for e in entities if e.category == "Model"}
    prefix = re.compile(rf"^(?:{'|'.join(map(re.escape, overrides['strip_prefixes']))})\s")
    kept: dict[str, Entity] = {}
    for name in names:
        key = plain_key(name)
        if key not in known | families and key not in kept and _is_library_model(
                name, families) and not prefix.match(name):
            kept[key] = Entity(name, ambiguous=bool(re.fullmatch(r"[A-Za-z]{2,4}", name)))
    return list(kept.values())


def _is_library_model(name: str, families: set[str]) -> bool:
    """Left out: a family the tables know in another version (`Falcon3`), a class name
    (`CLIPTextModel`), a slug (`mamba2`), a phrase with lowercase words (`Encoder decoder`),
    a name of three letters (`SAM` sites, `LED`, `ViT`), and a plain word or phrase
    (`Perceiver`, `Decision Transformer`): research posts use those for the architecture,
    a method, or what the words mean, and a plain word taken for a model would also cut
    `Falcon Mamba 7B` down to `Mamba 7B`."""
    versioned = re.fullmatch(r"([A-Za-z]+)\d[\d.]*", name)
    return not ((versioned and versioned[1].lower() in families) or CLASS_NAME.search(name)
                or "_" in name or not name[:1].isupper()
                or any(word[:1].islower() for word in name.split()[1:])
                or re.fullmatch(r"[A-Za-z]{2,3}", name) or _is_plain_phrase(name))


def _never_models() -> list[str]:
    """Names the tagger never takes for a model: languages, tools, products, methods."""
    lists = json.loads(NOT_ENTITIES.read_text(encoding="utf-8"))
    return [name for group in lists["never"].values() for name in group] + lists["not_models"]


def _organization_surfaces(raw: str) -> tuple[str, set[str]]:
    """`Carnegie Mellon University (CMU)` is named so, with the alias `CMU`; `Beijing Academy
    of Artificial Intelligence / BAAI` likewise; a note in parentheses is dropped."""
    aliases = set()
    trailing = re.search(r"\s*\(([^)]*)\)$", raw)
    if trailing:
        raw = raw[:trailing.start()]
        if re.fullmatch(r"[A-Z][A-Za-z]*[A-Z]", trailing[1]) and len(trailing[1]) >= 3:
            aliases.add(trailing[1])
    name, *others = (part.strip() for part in re.sub(r"\s*\([^)]*\)", "", raw).split(" / "))
    return name, aliases | {o for o in others if o}


def _is_plain_phrase(name: str) -> bool:
    """Words a sentence may hold for what they mean: `Magic`, `Physical Intelligence`."""
    words = name.split()
    return all(re.fullmatch(r"[A-Z]?[a-z]+", w) for w in words) and not INSTITUTION_WORDS & set(
        words)


INSTITUTION_WORDS = {"University", "Institute", "College", "Laboratory", "Laboratories", "Lab",
                     "Labs", "Academy", "School", "Center", "Centre", "Research", "Foundation"}


def _useful_aliases(entity: Entity) -> set[str]:
    """Generated aliases worth listing: word-order swaps and pasted API ids.

    Other spellings ("Deepseek v3", "DeepSeek-V3") need no alias: the tagger equates them.
    """
    own = plain_key(entity.name)
    order = token_key(entity.name)
    kept: dict[str, str] = {plain_key(a): a for a in entity.pinned}
    for alias in sorted(entity.candidates, key=lambda a: (not a[:1].isupper(), a)):
        key = plain_key(alias)
        if key == own or key in kept:
            continue
        swapped = alias != alias.lower() and token_key(alias) == order
        if swapped or (API_ID.fullmatch(alias) and _is_snapshot(alias, order)):
            kept[key] = alias
    return set(kept.values()) - entity.pinned


def _is_snapshot(api_id: str, order: tuple[str, ...]) -> bool:
    """An id for this model, maybe date-stamped: gpt-4o-2024-08-06, claude-sonnet-4-5."""
    text = dotted(api_id)
    while (shorter := SNAPSHOT_TAIL.sub("", text)) != text:
        text = shorter
    return token_key(text) == order and (text != api_id or bool(SNAPSHOT.search(api_id)))


def _drop_colliding_aliases(entities: list[Entity]) -> None:
    """A surface two entities claim goes to the one that pinned it, else to neither."""
    claims: dict[str, set[str]] = defaultdict(set)
    pins: dict[str, set[str]] = defaultdict(set)
    for entity in entities:
        claims[plain_key(entity.name)].add(entity.name)
        for alias in entity.aliases:
            claims[plain_key(alias)].add(entity.name)
        for alias in entity.pinned:
            pins[plain_key(alias)].add(entity.name)
    for entity in entities:
        mine = {entity.name}
        entity.aliases = {a for a in entity.aliases
                          if mine in (claims[plain_key(a)], pins[plain_key(a)])}


def render(entities: list[Entity], source: str) -> str:
    """The shipped JSON: one key order, sorted aliases, `ambiguous` only when true."""
    out = []
    for e in entities:
        item: dict = {"name": e.name, "category": e.category}
        if e.category == "Model":
            item["organization"] = e.organization
        item["aliases"] = sorted(e.aliases - {e.name}, key=lambda a: (a.lower(), a))
        if e.ambiguous:
            item["ambiguous"] = True
        out.append(item)
    return json.dumps({"source": source, "entities": out}, ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":
    main()
