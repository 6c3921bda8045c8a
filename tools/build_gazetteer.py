"""Rebuild the shipped gazetteer files (services/parley/data/gazetteer/) from ../shared/data.

An offline tool, not part of the package: the running services only read what it writes.

    .venv/bin/python tools/build_gazetteer.py [--source DIR] [--out DIR]

Generated files (one per licence, so share-alike terms stay with what they cover):
  countries.tsv               countries.json (ODbL 1.0) + GeoNames country table (CC BY 4.0)
  countries_countryinfo.tsv   CountryInfo/Phoenix nationality variants (CC BY-SA 3.0)
  people_countryinfo.tsv.gz   CountryInfo leaders/government + Phoenix actors (CC BY-SA 3.0)
  people_wikidata.tsv.gz      EveryPolitician Wikidata snapshots (CC0) + World Factbook (public domain)
  places.tsv.gz               GeoNames cities15000 (CC BY 4.0)
  orgs_igo.tsv                igo/CountrycodesOrgs.csv organisation names (MIT)
Hand-written files (roles.tsv, orgs.tsv, groups.tsv, topics.tsv, nonname.txt, gov_verbs.txt)
are left untouched.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "services") not in sys.path:   # lets PYTHONPATH put another checkout first
    sys.path.insert(0, str(ROOT / "services"))

from parley.logic.gazetteer.normalise import fold  # noqa: E402

DATA_DIR = ROOT / "services" / "parley" / "data" / "gazetteer"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"

PLACE_MIN_POPULATION = 15000


# ---------------------------------------------------------------- helpers

def _open_out(path: Path):
    if path.suffix == ".gz":
        # mtime=0 keeps rebuilds byte-identical
        return io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8", newline="")
    return open(path, "w", encoding="utf-8", newline="")


def _write_tsv(path: Path, header: list[str], rows, note: str) -> int:
    n = 0
    with _open_out(path) as out:
        out.write(f"# {note}\n")
        out.write("# " + "\t".join(header) + "\n")
        for row in rows:
            out.write("\t".join("" if v is None else str(v).replace("\t", " ") for v in row) + "\n")
            n += 1
    return n


def _title_name(raw: str) -> str:
    """SERGEY_V._LAVROV_ -> Sergey V. Lavrov (Phoenix/CountryInfo names are upper-case)."""
    words = raw.strip("_ ").replace("_", " ").split()
    out = []
    for w in words:
        parts = re.split(r"([-'’])", w.lower())
        out.append("".join(p[:1].upper() + p[1:] if p not in "-'’" else p for p in parts))
    name = " ".join(w.upper() if i and re.fullmatch(r"(?i)[ivx]{2,4}", w) else w for i, w in enumerate(out))   # Elizabeth II
    # Particles stay lower-case as in Wikipedia titles
    name = re.sub(r"\b(Al|El|Bin|Ibn|De|Da|Van|Von|Der|Den|Del|Dos|Das|La|Le|Du)(?= \w)",
                  lambda m: m.group(1).lower(), name)
    name = re.sub(r"(?<=\w )(Al|El|Ad|As|Ash|Ul|Ud)-", lambda m: m.group(1).lower() + "-", name)   # Bashar al-Assad
    name = re.sub(r"^(al|el|bin|de|da|van|von|der|del|la|le|du)\b", lambda m: m.group(1).title(), name)
    return name


def _factbook_name(raw: str) -> str:
    """Vladimir Vladimirovich PUTIN -> Vladimir Vladimirovich Putin."""
    return " ".join(_title_name(w) if w.isupper() and len(w) > 1 else w for w in raw.split())


@dataclass
class Roles:
    """Official titles -> generic lower-case role, using roles.tsv (longest surface first)."""
    table: list[tuple[str, str, str]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> "Roles":
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t") + ["", "", ""]
            if cols[2] == "role":
                rows.append((fold(cols[0]), cols[1], cols[3]))
        rows.sort(key=lambda r: -len(r[0]))
        return cls(rows)

    def normalise(self, title: str) -> str | None:
        t = " " + fold(title) + " "
        # the head of a title comes first: "Minister of Foreign Affairs & Secretary, ..." -> foreign minister
        t = re.split(r"[,;&]| and ", t)[0] + " "
        best = None
        for surface, role, _org in self.table:
            pos = t.find(" " + surface + " ")
            if pos >= 0 and (best is None or pos < best[0] or (pos == best[0] and len(surface) > best[1])):
                best = (pos, len(surface), role)
        if best is None or best[2] in VAGUE_ROLES:
            return None
        return best[2]


# Role words that say nothing about the office when they head a title ("Deputy Chairman ...")
VAGUE_ROLES = {"deputy", "official", "head", "chief", "leader", "aide", "counterpart", "representative",
               "diplomat", "secretary", "director", "chairman", "adviser", "general", "commander"}


def _date(s: str | None) -> str:
    """yymmdd / yyyymmdd / 2004017 (malformed) -> YYYY-MM-DD or ''."""
    if not s:
        return ""
    s = s.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return s
    if re.fullmatch(r"\d{4}", s):
        return s + "-01-01"
    if len(s) == 6:
        yy = int(s[:2])
        s = ("19" if yy > 30 else "20") + s
    if len(s) != 8 or not s.isdigit():
        return ""
    mm, dd = min(max(int(s[4:6]), 1), 12), min(max(int(s[6:8]), 1), 31)
    if dd > 28 and mm == 2:
        dd = 28
    if dd == 31 and mm in (4, 6, 9, 11):
        dd = 30
    return f"{s[:4]}-{mm:02d}-{dd:02d}"


# ---------------------------------------------------------------- countries

def build_countries(src: Path, out: Path) -> dict:
    data = json.loads((src / "countries" / "countries.json").read_text(encoding="utf-8"))
    rows = []
    by_iso2 = {}
    for c in data:
        code = c["cca3"]
        by_iso2[c["cca2"]] = code
        rows.append((code, "name", c["name"]["common"]))
        seen = {fold(c["name"]["common"])}

        def add(kind, surface):
            if surface and fold(surface) and fold(surface) not in seen and _latin(surface):
                seen.add(fold(surface))
                rows.append((code, kind, surface))

        add("alias", c["name"]["official"])
        for alt in c.get("altSpellings", []):
            if len(alt) == 2 and alt.isupper():   # ISO2 codes are not words in news text ("AM", "IN")
                continue
            add("alias", alt)
        for cap in c.get("capital", []):
            add("capital", cap)
        for dem in (c.get("demonyms") or {}).get("eng", {}).values():
            add("demonym", dem)
    # GeoNames gives the short English country name news uses ("Turkey", "Czech Republic")
    for line in (src / "geonames" / "countryInfo.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) > 5 and cols[1]:
            rows.append((cols[1], "alias", cols[4]))
            if cols[5]:
                rows.append((cols[1], "capital", cols[5]))
    rows = _one_country_per_surface(_dedupe(rows), _populations(src))
    n = _write_tsv(out / "countries.tsv", ["code", "kind", "surface"], rows,
                   "Derived from mledoze/countries countries.json (ODbL 1.0) and GeoNames countryInfo (CC BY 4.0). Licence: ODbL 1.0")
    return {"countries.tsv": n, "_iso2": by_iso2}


def _populations(src: Path) -> dict[str, int]:
    pop = {}
    for line in (src / "geonames" / "countryInfo.tsv").read_text(encoding="utf-8").splitlines():
        c = line.split("\t")
        if not line.startswith("#") and len(c) > 7 and c[7].isdigit():
            pop[c[1]] = int(c[7])
    return pop


def _one_country_per_surface(rows, pop: dict[str, int]):
    """A surface shared by several countries ("French": FRA and ATF; "American": USA and MNP)
    names the most populous one; a country's own common name always stays its own."""
    own = {fold(s): code for code, kind, s in rows if kind == "name"}
    owner: dict[str, str] = {}
    for code, kind, s in rows:
        key = fold(s)
        if kind == "capital":
            continue
        cur = owner.get(key)
        if key in own:
            owner[key] = own[key]
        elif cur is None or pop.get(code, 0) > pop.get(cur, 0):
            owner[key] = code
    return [r for r in rows if r[1] == "capital" or owner.get(fold(r[2])) == r[0]]


def _latin(s: str) -> bool:
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in s)


def _dedupe(rows):
    seen, out = set(), []
    for r in rows:
        key = (r[0], r[1], fold(r[2]))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def build_countryinfo_countries(src: Path, out: Path, roles: Roles) -> dict:
    """Nationality variants and misspellings from the Phoenix country entries."""
    rows = []
    text = (src / "phoenix" / "Phoenix.Countries.actors.txt").read_bytes().decode("utf-8", "replace")
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.match(r"^([^\s+#\[][^\s\[#]*)\s*\[([A-Z]{3})\]", line)
        if m:
            current = m.group(2)
            rows.append((current, "alias", _title_name(m.group(1))))
            continue
        if line.startswith("+") and current:
            rows.append((current, "alias", _title_name(line[1:].split("#")[0].strip())))
            continue
        current = None
    # Keep country-level names only: drop phrases carrying role words or long phrases
    role_words = {s for s, _r, _o in roles.table}
    # Phoenix lists cities under their country code ("MOSCOW_ [RUS]"): those are places, not countries
    cities = set()
    with open(src / "geonames" / "cities15000.txt", encoding="utf-8") as f:
        for line in f:
            c = line.split("\t", 3)
            cities.add(fold(c[1]))
            cities.add(fold(c[2]))
    keep = [r for r in rows if fold(r[2]) not in cities]
    keep = [r for r in keep
            if 0 < len(fold(r[2]).split()) <= 4 and not any(w in role_words for w in fold(r[2]).split())
            and len(fold(r[2])) > 3]
    # Phoenix files regions, rivers and sights under the country code too ("Helmand", "Tibet"):
    # keep only spelling variants of the country's own names and demonyms ("Afghanestan")
    own: dict[str, list[str]] = defaultdict(list)
    for code, kind, surface in _read_rows(out / "countries.tsv"):
        if kind != "capital":
            own[code].append(fold(surface))
    keep = [r for r in keep if any(fuzz.ratio(fold(r[2]), n) >= 75 for n in own.get(r[0], ()))]
    # surfaces countries.tsv already assigns stay with it (one owner per surface)
    shipped = {fold(r[2]) for r in _read_rows(out / "countries.tsv")}
    keep = [r for r in _dedupe(keep) if fold(r[2]) not in shipped]
    keep = _one_country_per_surface(keep, _populations(src))
    n = _write_tsv(out / "countries_countryinfo.tsv", ["code", "kind", "surface"], keep,
                   "Derived from PETRARCH2 Phoenix.Countries.actors.txt (MIT), generated from Schrodt's CountryInfo.txt. Licence: CC BY-SA 3.0")
    return {"countries_countryinfo.tsv": n}


# ---------------------------------------------------------------- people

@dataclass
class PersonRec:
    key: str
    name: str
    country: str
    aliases: set = field(default_factory=set)
    roles: list = field(default_factory=list)   # (role, country, org, start, end)
    source: str = ""
    qid: str = ""


class PeopleIndex:
    """Merges person records from several sources by (country, folded name or alias)."""

    def __init__(self):
        self.recs: list[PersonRec] = []
        self.by_key: dict[tuple[str, str], PersonRec] = {}
        self.by_surname: dict[tuple[str, str], list[PersonRec]] = {}

    def _same_person(self, name: str, country: str):
        """Transliteration variants of one person ("Dmitr Medvedev" / "Dmitry Medvedev")."""
        toks = fold(name).split()
        if len(toks) < 2:
            return None
        for rec in self.by_surname.get((country, toks[-1]), ()):
            other = fold(rec.name).split()
            if JaroWinkler.similarity(toks[0], other[0]) >= 0.85 and (
                    len(toks) < 3 or len(other) < 3 or fuzz.ratio(" ".join(toks), " ".join(other)) >= 85):
                return rec
        return None

    def add(self, name, country, aliases=(), role=None, start="", end="", org="", source="", qid=""):
        name = name.strip()
        if not name or len(fold(name).split()) < 2 and not qid:
            return None
        keys = [fold(name)] + [fold(a) for a in aliases]
        rec = None
        for k in keys:
            rec = self.by_key.get((country, k))
            if rec:
                break
        if rec is None:
            rec = self._same_person(name, country)
        if rec is None:
            rec = PersonRec(key=fold(name), name=name, country=country, source=source, qid=qid)
            self.recs.append(rec)
        elif qid and not rec.qid:
            # Wikidata labels are the canonical (Wikipedia-style) names
            rec.aliases.add(rec.name)
            rec.name, rec.qid = name, qid
        rec.aliases.update(a for a in aliases if fold(a) != fold(rec.name))
        if fold(name) != fold(rec.name):
            rec.aliases.add(name)
        for k in keys:
            self.by_key.setdefault((country, k), rec)
        toks = fold(rec.name).split()
        if len(toks) >= 2:
            bucket = self.by_surname.setdefault((country, toks[-1]), [])
            if rec not in bucket:
                bucket.append(rec)
        if role or start or end:
            r = (role or "", country if not org else "", org or "", start, end)
            if r not in rec.roles:
                rec.roles.append(r)
        return rec


def _name_like(alias: str, role_words: set, nationality: set) -> bool:
    toks = fold(alias).split()
    return len(toks) >= 2 and not any(t in role_words or t in nationality for t in toks)


def parse_countryinfo(src: Path, people: PeopleIndex, roles: Roles) -> None:
    raw = (src / "countryinfo" / "CountryInfo.120116.txt").read_bytes().replace(b"\x00", b"").replace(b"\x1a", b"")
    text = raw.decode("utf-8", "replace")
    for block in re.findall(r"<Country>(.*?)</Country>", text, flags=re.S):
        m = re.search(r"<ISO3166-alpha3>(\w+)</ISO3166-alpha3>", block)
        if not m:
            continue
        iso3 = m.group(1)
        if len(iso3) != 3:   # a typo in the source (Israel: "IL"); the CoW-style code is ISO there
            cc = re.search(r"<CountryCode>(\w{3})</CountryCode>", block)
            iso3 = cc.group(1) if cc else iso3
        leaders = re.search(r"<Leaders>(.*?)</Leaders>", block, flags=re.S)
        if leaders:
            section_role = None
            for line in leaders.group(1).splitlines():
                s = line.strip()
                # "#<Secretary of State>" (the USA block writes its headings as comments)
                t = re.fullmatch(r"#?<([^/][^>]*)>", s)
                if t:
                    section_role = roles.normalise(t.group(1)) or fold(t.group(1)).rstrip("s")
                    continue
                if s.startswith("</") or not s or s.startswith("#"):
                    continue
                _ci_person(people, s, iso3, section_role)
        gov = re.search(r"<Government>(.*?)</Government>", block, flags=re.S)
        if gov:
            section_role = None
            for line in gov.group(1).splitlines():
                s = line.strip()
                t = re.fullmatch(r"#?<([^/][^>]*)>", s)
                if t:
                    section_role = roles.normalise(t.group(1))
                    continue
                if not s or s.startswith(("<", "#")):
                    continue
                title = s.split("#", 1)[1].strip() if "#" in s else ""
                role = roles.normalise(title) if title else section_role
                _ci_person(people, s.split("#", 1)[0], iso3, role)


def _ci_person(people: PeopleIndex, s: str, iso3: str, role: str | None) -> None:
    names = re.findall(r"\{([^}]*)\}", s) or [s.split("[", 1)[0].strip()]
    names = [_title_name(n) for n in names if n.strip("_ ")]
    if not names:
        return
    periods = re.findall(r"\[(?:[A-Z]{3}\w*\s+)?([<>]?)(\d{8})?(?:\s*-\s*(\d{8}))?\]", s)
    spans = []
    for op, a, b in periods:
        if not a:
            continue
        if op == ">":
            spans.append((_date(a), ""))
        elif op == "<":
            spans.append(("", _date(a)))
        else:
            spans.append((_date(a), _date(b)))
    if not spans:
        spans = [("", "")]
    for start, end in spans:
        people.add(names[0], iso3, names[1:], role=role, start=start, end=end, source="countryinfo")


def parse_phoenix_people(src: Path, people: PeopleIndex, roles: Roles, nationality: set) -> None:
    """Person entries of Phoenix.Countries.actors.txt: name, +synonyms, then [CODE dates] # comment."""
    role_words = {w for s, _r, _o in roles.table for w in s.split()}
    text = (src / "phoenix" / "Phoenix.Countries.actors.txt").read_bytes().decode("utf-8", "replace")
    entry = None

    def flush(e):
        if not e or not e["codes"]:
            return
        name = _title_name(e["name"])
        aliases = [_title_name(a) for a in e["syn"]]
        aliases = [a for a in aliases if _name_like(a, role_words, nationality)]
        for code, start, end, comment in e["codes"]:
            iso3, suffix = code[:3], code[3:]
            role = roles.normalise(comment) if comment else None
            if not role and suffix.startswith("GOV") and not comment:
                role = None
            people.add(name, iso3, aliases, role=role, start=start, end=end, source="phoenix")

    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("\t") or line.startswith(" "):
            if entry is None:
                continue
            m = re.match(r"\s*\[([A-Z]{3}[A-Z]*)\s*([<>]?)(\d{6,8})?(?:-(\d{6,8}))?\]\s*(?:#\s*(.*))?", line)
            if m:
                code, op, a, b, comment = m.groups()
                if op == ">":
                    span = (_date(a), "")
                elif op == "<":
                    span = ("", _date(a))
                else:
                    span = (_date(a), _date(b))
                if a:  # only dated codes make a person (undated ones are places, parties...)
                    entry["codes"].append((code, span[0], span[1], (comment or "").strip()))
            continue
        if line.startswith("+"):
            if entry is not None:
                entry["syn"].append(line[1:].split("#")[0].strip())
            continue
        flush(entry)
        head = line.split("#")[0].strip()
        entry = None if "[" in head else {"name": head, "syn": [], "codes": []}
    flush(entry)


def parse_wikidata(src: Path, people: PeopleIndex, roles: Roles, country_by_name: dict) -> None:
    ep = src / "everypolitician"
    with open(ep / "world" / "sources" / "foreign" / "wikidata.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            iso3 = country_by_name.get(fold(r["countryLabel"]))
            if not r["name"] or not iso3:
                continue
            people.add(r["name"], iso3, role=roles.normalise(r["positionLabel"]) or "foreign minister",
                       start=r["start"], source="wikidata", qid=r["person"])
    with open(ep / "world-leaders-2021" / "data" / "wikidata.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            iso3 = country_by_name.get(fold(r["country"]))
            if not r["officeholderLabel"] or not iso3:
                continue
            people.add(r["officeholderLabel"], iso3, role=roles.normalise(r["positionLabel"]),
                       start=_date(r["start_year"]), end=_end_of_year(r["end_year"]),
                       source="wikidata", qid=r["officeholder"])
    igo_of = {"united nations": "UN", "world trade organization": "WTO", "osce": "OSCE",
              "international court of justice": "ICJ", "council of europe": "COE", "arab parliament": "LAS"}
    with open(ep / "world" / "html" / "holders21.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            pos = fold(r["position"])
            org = next((code for k, code in igo_of.items() if k in pos), "")
            if "permanent representative" in pos:
                continue   # country unknown in this file
            people.add(r["person"], "", role=roles.normalise(r["position"]), org=org,
                       start=r["start"], end=r["end"], source="wikidata", qid=r["personID"])


def _end_of_year(y: str) -> str:
    return f"{y}-12-31" if y and y.isdigit() else ""


MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                      "august", "september", "october", "november", "december"], 1)}


def parse_factbook(src: Path, people: PeopleIndex, roles: Roles, gec_to_iso3: dict) -> None:
    independent = {c["cca3"] for c in json.loads((src / "countries" / "countries.json").read_text(encoding="utf-8"))
                   if c.get("independent")}
    for path in sorted((src / "factbook").glob("*/*.json")):
        iso3 = gec_to_iso3.get(path.stem.upper())
        if not iso3 or iso3 not in independent:
            continue   # a territory's chief of state is its sovereign's (Guam: the US president)
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            ex = d["Government"]["Executive branch"]
        except (KeyError, ValueError):
            continue
        for fieldname in ("chief of state", "head of government"):
            text = re.sub(r"<[^>]+>", " ", (ex.get(fieldname) or {}).get("text", ""))
            text = text.split("note:")[0]
            # "President Vladimir Vladimirovich PUTIN (since 7 May 2012)"
            for m in re.finditer(r"((?:[A-Z][a-z-]+ ){1,4}?)((?:[A-Z][\w'.-]* ){0,4}[A-ZÀ-Þ][A-ZÀ-Þ'-]{2,}(?: [A-ZÀ-Þ][A-ZÀ-Þ'-]+)*)\s*\(since (\d{1,2})? ?([A-Za-z]+)? ?(\d{4})\)", text):
                title, name, day, month, year = m.groups()
                role = roles.normalise(title)
                if not role:
                    continue
                mm = MONTHS.get((month or "").lower(), 1)
                start = f"{year}-{mm:02d}-{int(day or 1):02d}"
                people.add(_factbook_name(name), iso3, role=role, start=start, source="factbook")


def build_people(src: Path, out: Path, roles: Roles, country_rows, gec_to_iso3) -> dict:
    nationality = {fold(s) for code, kind, s in country_rows}
    country_by_name = {fold(s): code for code, kind, s in country_rows if kind in ("name", "alias")}
    country_by_name.setdefault("united states of america", "USA")
    # Wikidata first so its labels become canonical names; CountryInfo/Phoenix merge into them
    wd = PeopleIndex()
    parse_wikidata(src, wd, roles, country_by_name)
    parse_factbook(src, wd, roles, gec_to_iso3)
    ci = PeopleIndex()
    parse_countryinfo(src, ci, roles)
    parse_phoenix_people(src, ci, roles, nationality)

    # Records that match a Wikidata person share its id so the loader merges them
    wd_ids = {}
    for rec in wd.recs:
        pid = rec.qid or "fb:" + _slug(rec.name + "-" + rec.country)
        for k in [fold(rec.name)] + [fold(a) for a in rec.aliases]:
            wd_ids.setdefault((rec.country, k), pid)

    valid = {code for code, _kind, _s in country_rows}

    def iso3(code: str) -> str:
        # CountryInfo/Phoenix use a few non-ISO codes (IL, SUN, DDR, IGO...): keep ISO3 only
        return code if code in valid else ""

    def rows(recs, id_of):
        for rec in recs:
            pid = id_of(rec)
            aliases = "|".join(sorted(rec.aliases, key=fold))
            for role, country, org, start, end in rec.roles or [("", rec.country, "", "", "")]:
                yield (pid, rec.name, aliases, role, iso3(country or rec.country), org, start, end)

    def ci_id(rec):
        for k in [fold(rec.name)] + [fold(a) for a in rec.aliases]:
            if (rec.country, k) in wd_ids:
                return wd_ids[(rec.country, k)]
        same = wd._same_person(rec.name, rec.country)     # "Joseph R. Biden" -> Joe Biden (Q6279)
        if same is not None:
            return same.qid or "fb:" + _slug(same.name + "-" + same.country)
        return "ci:" + _slug(rec.name + "-" + rec.country)

    header = ["id", "name", "aliases", "role", "country", "org", "start", "end"]
    n1 = _write_tsv(out / "people_wikidata.tsv.gz", header,
                    rows(wd.recs, lambda r: r.qid or "fb:" + _slug(r.name + "-" + r.country)),
                    "EveryPolitician Wikidata snapshots (CC0) and CIA World Factbook (public domain). Licence: CC0 1.0")
    n2 = _write_tsv(out / "people_countryinfo.tsv.gz", header, rows(ci.recs, ci_id),
                    "Derived from Schrodt's CountryInfo.txt (CC BY-SA 3.0) and PETRARCH2 Phoenix actors (MIT). Licence: CC BY-SA 3.0")
    return {"people_wikidata.tsv.gz": n1, "people_countryinfo.tsv.gz": n2}


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(s)).strip("-")


# ---------------------------------------------------------------- places and orgs

def build_places(src: Path, out: Path, iso2_to_iso3: dict) -> dict:
    def rows():
        with open(src / "geonames" / "cities15000.txt", encoding="utf-8") as f:
            for line in f:
                c = line.rstrip("\n").split("\t")
                gid, name, ascii_, alts, lat, lon, fclass, fcode, cc = c[:9]
                pop = int(c[14] or 0)
                if fcode in ("PPLX", "PPLH", "PPLQ", "PPLW") or (pop < PLACE_MIN_POPULATION and fcode != "PPLC"):
                    continue
                aliases = {ascii_} if ascii_ != name else set()
                latin = [a for a in alts.split(",")
                         if a and a[0].isupper() and re.fullmatch(r"[A-Za-z][A-Za-z .'-]+", a) and len(a) > 3]
                if fcode == "PPLC" or pop >= 1_000_000:
                    # English exonyms live among the alternate names ("Kiev", "Moscow"); keep plain Latin ones
                    aliases.update(latin)
                elif fcode == "PPLA" or pop >= 100_000:
                    # regional centres: only spellings close to the name ("Geneva" for Genève)
                    folded = fold(name)
                    aliases.update(a for a in latin if fuzz.ratio(fold(a), folded) >= 75)
                aliases.discard(name)
                yield (gid, name, "|".join(sorted(aliases)), iso2_to_iso3.get(cc, cc), lat, lon, pop, fcode)

    n = _write_tsv(out / "places.tsv.gz", ["id", "name", "aliases", "country", "lat", "lon", "population", "feature"],
                   rows(), "GeoNames cities15000 (https://www.geonames.org/). Licence: CC BY 4.0")
    return {"places.tsv.gz": n}


def build_igo_orgs(src: Path, out: Path) -> dict:
    rows, seen = [], set()
    with open(src / "igo" / "CountrycodesOrgs.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name, code = r["org_name"].strip(), r["org_id"].strip()
            if (code, name) in seen or len(name.split()) < 2:
                continue
            seen.add((code, name))
            rows.append((code, name, name, ""))
    n = _write_tsv(out / "orgs_igo.tsv", ["code", "name", "aliases", "country"], rows,
                   "Organisation names from dieghernan/Country-Codes-and-International-Organizations (MIT; CIA Factbook data). Licence: MIT")
    return {"orgs_igo.tsv": n}


def gec_map(src: Path) -> dict:
    out = {}
    for line in (src / "geonames" / "countryInfo.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        c = line.split("\t")
        if len(c) > 3 and c[3]:
            out[c[3]] = c[1]
    return out


def build(src: Path = DEFAULT_SOURCE, out: Path = DATA_DIR) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    roles = Roles.load(out / "roles.tsv")
    counts = {}
    c = build_countries(src, out)
    iso2 = c.pop("_iso2")
    counts.update(c)
    counts.update(build_countryinfo_countries(src, out, roles))
    country_rows = _read_rows(out / "countries.tsv") + _read_rows(out / "countries_countryinfo.tsv")
    counts.update(build_people(src, out, roles, country_rows, gec_map(src)))
    counts.update(build_places(src, out, iso2))
    counts.update(build_igo_orgs(src, out))
    return counts


def _read_rows(path: Path):
    return [tuple(l.split("\t")) for l in path.read_text(encoding="utf-8").splitlines() if l and not l.startswith("#")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--out", type=Path, default=DATA_DIR)
    args = ap.parse_args(argv)
    for name, n in build(args.source, args.out).items():
        print(f"{name}\t{n} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
