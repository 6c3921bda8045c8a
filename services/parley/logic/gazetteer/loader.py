"""Read the gazetteer data files (shipped + user extras), compile them, cache the result.

File kinds are recognised by name prefix, in the shipped folder and in every folder of
PARLEY_GAZETTEER_EXTRA (os.pathsep-separated): countries*.tsv, people*.tsv, places*.tsv,
orgs*.tsv, groups*.tsv, topics*.tsv, roles*.tsv, nonname*.txt, nonperson*.txt, nonplace*.txt,
gov_verbs*.txt, family_first*.txt — each
optionally .gz. Rows of people files with the same id merge (extra aliases, extra roles).
"""
from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import re
import tempfile
from datetime import date
from pathlib import Path

import ahocorasick

from .model import ACRONYM, ANY_CASE, CAPITALISED, Gazetteer, Group, Person, PersonTable, Place, PlaceTable, phrase_rule
from .normalise import fold, skeleton

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "gazetteer"
EXTRA_ENV = "PARLEY_GAZETTEER_EXTRA"
CACHE_ENV = "PARLEY_CACHE_DIR"
FORMAT_VERSION = "15"   # bump when compile() changes what it produces

# Cities below this population only count after a locative preposition ("in Foo")
PLACE_FREE_POPULATION = 100_000
KEEP_CACHES = 3
KINDS = ("countries", "people", "places", "orgs", "groups", "topics", "roles", "nonname", "nonperson", "nonplace",
         "gov_verbs", "family_first")


def data_files(extra: str | None = None, base: Path | None = None) -> list[Path]:
    dirs = [base or DATA_DIR]
    extra = os.environ.get(EXTRA_ENV, "") if extra is None else extra
    dirs += [Path(p) for p in extra.split(os.pathsep) if p]
    files = []
    for d in dirs:
        if d.is_dir():
            files += sorted(p for p in d.iterdir() if p.is_file() and p.name.startswith(KINDS)
                            and p.name.endswith((".tsv", ".tsv.gz", ".txt", ".txt.gz")))
    return files


def _kind(path: Path) -> str:
    return next(k for k in sorted(KINDS, key=len, reverse=True) if path.name.startswith(k))


def _lines(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield line


def _rows(path: Path, ncols: int):
    for line in _lines(path):
        cols = line.split("\t")
        yield cols + [""] * (ncols - len(cols))


def cache_key(files: list[Path]) -> str:
    """Changes with the data files (path, size, mtime) and with the code that compiles them."""
    h = hashlib.sha256(FORMAT_VERSION.encode())
    for name in ("loader.py", "model.py", "normalise.py"):
        h.update((Path(__file__).parent / name).read_bytes())
    for p in files:
        st = p.stat()
        h.update(f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:20]


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "parley"


def load_cached(extra: str | None = None, use_cache: bool = True, base: Path | None = None) -> Gazetteer:
    files = data_files(extra, base)
    path = cache_dir() / f"gazetteer-{cache_key(files)}.pkl"
    if use_cache and path.exists():
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except Exception:   # a corrupt or foreign cache is rebuilt, never fatal
            pass
    gz = compile_gazetteer(files)
    if use_cache:
        _write_cache(path, gz)
    return gz


def _write_cache(path: Path, gz: Gazetteer) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(gz, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)   # atomic: concurrent processes never read half a file
        # keep a few recent builds (several extra-data setups may share the folder)
        olds = sorted(path.parent.glob("gazetteer-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in olds[KEEP_CACHES:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


# ---------------------------------------------------------------- compile

class _Patterns:
    """phrase -> entries, later turned into the automaton."""

    def __init__(self):
        self.map: dict[str, list[tuple]] = {}

    def add(self, surface: str, kind: str, ref, rule: int | None = None):
        surface = re.sub(r"^[Tt]he\s+", "", surface.strip())   # "the United Nations": the article is optional
        key = fold(surface)
        if not key or "_" in key:   # non-Latin script: cannot occur in normalised text as a word
            return
        if rule is None:
            rule = _rule_for(surface)
        entry = (kind, ref, rule, surface)
        lst = self.map.setdefault(key, [])
        for k, e in enumerate(lst):
            if e[0] == kind and e[1] == ref:
                # "Terrorism" (name) and "terrorism" (alias) are one phrase: the more permissive
                # case rule wins (ANY_CASE < CAPITALISED < ACRONYM), whatever the order of adding
                if rule < e[2]:
                    lst[k] = entry
                return
        lst.append(entry)

    def automaton(self) -> ahocorasick.Automaton:
        a = ahocorasick.Automaton()
        for key, entries in self.map.items():
            entries.sort(key=lambda e: PRIORITY[e[0]])   # the tagger takes the first kind
            padded = f" {key} "
            a.add_word(padded, (len(padded), tuple(entries), phrase_rule(entries)))
        a.make_automaton()
        return a


# When one phrase is several things, the tagger keeps the first kind in this order
PRIORITY = {"group": 0, "org": 1, "topic": 2, "country": 3, "capital": 4, "role": 5, "hon": 6, "place": 7}


def _rule_for(surface: str) -> int:
    letters = re.sub(r"[^A-Za-z]", "", surface)
    if letters and letters.isupper() and len(letters) <= 6:
        return ACRONYM
    return CAPITALISED


def compile_gazetteer(files: list[Path]) -> Gazetteer:
    gz = Gazetteer(sources=[str(p) for p in files])
    pats = _Patterns()
    by_kind: dict[str, list[Path]] = {}
    for p in files:
        by_kind.setdefault(_kind(p), []).append(p)

    for p in by_kind.get("nonname", []):
        for line in _lines(p):
            gz.nonname.update((fold(line), line.strip()))   # folded, and as written for a fast check
    for p in by_kind.get("nonperson", []):
        gz.nonperson.update(line.strip() for line in _lines(p))
    for p in by_kind.get("gov_verbs", []):
        gz.gov_verbs.update(fold(l) for l in _lines(p))
    national_roles: set[str] = set()
    regnal_roles: set[str] = set()
    female: set[str] = set()
    gz.family_first = frozenset(fold(line) for p in by_kind.get("family_first", []) for line in _lines(p))
    for p in by_kind.get("roles", []):
        for surface, role, kind, org, scope in _rows(p, 5):
            # role words match in any case, but an abbreviation only as written ("PM", not "pm")
            rule = ACRONYM if surface.isupper() else ANY_CASE
            pats.add(surface, "hon" if kind == "honorific" else "role", (role, org or None), rule)
            if scope == "national" or _ISO3.fullmatch(scope):
                national_roles.add(role)
            elif scope == "regnal":
                regnal_roles.add(role)
            elif scope == "female":
                female.add(role)
            if _ISO3.fullmatch(scope):
                gz.title_country[fold(surface)] = scope      # "Secretary of State", "Taoiseach"
    gz.national_roles = frozenset(national_roles)
    gz.regnal_roles = frozenset(regnal_roles)
    gz.female_honorifics = frozenset(female)
    _compile_countries(gz, pats, by_kind.get("countries", []))
    for p in by_kind.get("orgs", []):
        for code, name, aliases, country in _rows(p, 4):
            gz.orgs.setdefault(code, (name, country or None))
            for a in sorted({name, *filter(None, aliases.split("|"))}):
                pats.add(a, "org", code)
    for p in by_kind.get("groups", []):
        for code, name, aliases, members, start, end in _rows(p, 6):
            gz.groups.setdefault(code, []).append(Group(code, name, [m for m in members.split("|") if m], start, end))
            for a in sorted({name, *filter(None, aliases.split("|"))}):
                pats.add(a, "group", code, ANY_CASE if " " in a and a != name and not a.isupper() else None)
    for p in by_kind.get("topics", []):
        for tid, name, aliases in _rows(p, 3):
            gz.topics[tid] = name
            for a in sorted({name, *filter(None, aliases.split("|"))}):
                pats.add(a, "topic", tid, ACRONYM if a.isupper() else ANY_CASE if a.islower() else CAPITALISED)
    # regions and continents ("Asia", a town too), and words no name has ("March", "Union"),
    # are no place names
    nonplace = {fold(line) for p in by_kind.get("nonplace", []) for line in _lines(p)}
    _compile_places(gz, pats, by_kind.get("places", []), nonplace | gz.nonname)
    _compile_people(gz, by_kind.get("people", []))
    gz.automaton = pats.automaton()
    gz.people = PersonTable(gz.people)
    gz.places = PlaceTable(gz.places)
    return gz


def _compile_countries(gz: Gazetteer, pats: _Patterns, files: list[Path]) -> None:
    for p in files:
        for code, kind, surface in _rows(p, 3):
            if kind == "name":
                gz.countries.setdefault(code, surface)
            if kind == "capital":
                gz.capitals.setdefault(fold(surface), code)
                pats.add(surface, "capital", code, CAPITALISED)
                continue
            via = "demonym" if kind == "demonym" else "name"
            pats.add(surface, "country", (code, via))
            if kind == "demonym" and not surface.endswith("s"):
                pats.add(surface + "s", "country", (code, "demonym"))   # "the Armenians"


def _compile_places(gz: Gazetteer, pats: _Patterns, files: list[Path], nonplace: set[str]) -> None:
    for p in files:
        for gid, name, aliases, country, lat, lon, pop, feature in _rows(p, 8):
            idx = len(gz.places)
            gz.places.append(Place(gid, name, country, float(lat or 0), float(lon or 0), int(pop or 0), feature))
            for a in sorted({name, *filter(None, aliases.split("|"))}):
                key = fold(a)
                if len(key) >= 3 and key not in nonplace:
                    pats.add(a, "place", idx, CAPITALISED)


# Offices with one holder at a time: a successor's start ends an open-ended term
SINGLE_HOLDER = {"president", "prime minister", "foreign minister", "secretary of state", "chancellor",
                 "king", "queen", "emir", "sultan", "secretary general", "vice president", "defence minister"}


# Ids of people whose roles come from office-holder lists (Wikidata Q-ids, World Factbook);
# CountryInfo titles are free text ("President, State Oil Company") and may not close a term
CURATED_ID_PREFIXES = ("Q", "fb:")


def _close_open_roles(people: list[Person]) -> None:
    """Sources are snapshots: an open term ("since 2008") is closed by the same office's next
    holder, and a labelled open term is closed by an unlabelled dated term that starts the same day."""
    for p in people:
        ends = {r[3]: r[4] for r in p.roles if not r[0] and r[3] and r[4]}
        p.roles = [(r[0], r[1], r[2], r[3], ends.get(r[3], "")) if r[0] and not r[4] and r[3] in ends else r
                   for r in p.roles]
    starts: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for i, p in enumerate(people):
        if not p.id.startswith(CURATED_ID_PREFIXES):
            continue   # only office-level sources (Wikidata, Factbook) name successors reliably
        for role, country, org, start, _end in p.roles:
            if role in SINGLE_HOLDER and start:
                starts.setdefault((role, country or org), []).append((start, i))
    for lst in starts.values():
        lst.sort()
    for i, p in enumerate(people):
        fixed = []
        for r in p.roles:
            role, country, org, start, end = r
            if role in SINGLE_HOLDER and start and not end:
                # a year's margin: snapshots disagree on start days, and a mislabelled
                # overlapping term must not end the real holder's
                nxt = next((s for s, j in starts.get((role, country or org), ())
                            if j != i and _days(start, s) >= 365), None)
                if nxt:
                    r = (role, country, org, start, nxt)
            fixed.append(r)
        p.roles = fixed


_ISO3 = re.compile(r"[A-Z]{3}")


def _days(a: str, b: str) -> int:
    try:
        return (date.fromisoformat(b[:10]) - date.fromisoformat(a[:10])).days
    except ValueError:
        return 0


def _compile_people(gz: Gazetteer, files: list[Path]) -> None:
    for p in files:
        for pid, name, aliases, role, country, org, start, end in _rows(p, 8):
            if not _ISO3.fullmatch(country):
                country = ""     # user files may carry other codes; mentions promise ISO3 or null
            idx = gz.person_by_id.get(pid)
            if idx is None:
                idx = len(gz.people)
                gz.person_by_id[pid] = idx
                gz.people.append(Person(pid, name, country or None))
            person = gz.people[idx]
            if person.country is None and country:
                person.country = country
            for a in [name, *aliases.split("|")]:
                if a and a not in person.aliases:
                    person.aliases.append(a)
            if role or start or end or org:
                r = (role, country, org, start, end)
                if r not in person.roles:
                    person.roles.append(r)
    _close_open_roles(gz.people)
    for i, person in enumerate(gz.people):
        for a in person.aliases:
            toks = fold(a).split()
            if not toks:
                continue
            gz.alias_index.setdefault(" ".join(toks), []).append(i)
            if len(toks) >= 2:
                lst = gz.given_index.setdefault(toks[0], [])
                if not lst or lst[-1] != i:
                    lst.append(i)
                surnames = [toks[-1]]
                if len(toks) <= 3 and toks[0] in gz.family_first and len(a.split()) <= 3:
                    surnames.append(toks[0])     # "Moon Jae-in", "Xi Jinping": the family name first
                for last in surnames:
                    lst = gz.surname_index.setdefault(last, [])
                    if not lst or lst[-1] != i:
                        lst.append(i)
                gz.given_names.add(toks[0])
    for surname in gz.surname_index:
        if len(surname) >= 4:
            gz.skeleton_index.setdefault(skeleton(surname), []).append(surname)
    # Given names must not swallow words that begin other capitalised phrases
    gz.given_names -= gz.nonname
    gz.given_names -= set(gz.capitals)
    gz.given_names = {g for g in gz.given_names if len(g) > 1}
