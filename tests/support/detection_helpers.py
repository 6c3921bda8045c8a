"""Hand-made tagged articles for detector tests: mentions are built from a small lexicon."""
from __future__ import annotations

import re

LEXICON = {
    # persons
    "Anna Berg": {"type": "person", "id": "p1", "name": "Anna Berg", "role": "foreign minister", "country": "NOR", "org": None},
    "Berg": {"type": "person", "id": "p1", "name": "Anna Berg", "role": "foreign minister", "country": "NOR", "org": None},
    "Luis Ortega": {"type": "person", "id": "p2", "name": "Luis Ortega", "role": "foreign minister", "country": "CHL", "org": None},
    "Ortega": {"type": "person", "id": "p2", "name": "Luis Ortega", "role": "foreign minister", "country": "CHL", "org": None},
    "Kofi Mensah": {"type": "person", "id": "p3", "name": "Kofi Mensah", "role": "president", "country": "GHA", "org": None},
    "Mensah": {"type": "person", "id": "p3", "name": "Kofi Mensah", "role": "president", "country": "GHA", "org": None},
    "Hana Sato": {"type": "person", "id": "p4", "name": "Hana Sato", "role": "prime minister", "country": "JPN", "org": None},
    "Sato": {"type": "person", "id": "p4", "name": "Hana Sato", "role": "prime minister", "country": "JPN", "org": None},
    "Piotr Nowak": {"type": "person", "id": "p5", "name": "Piotr Nowak", "role": "president", "country": "POL", "org": None},
    "Nowak": {"type": "person", "id": "p5", "name": "Piotr Nowak", "role": "president", "country": "POL", "org": None},
    "Erik Dahl": {"type": "person", "id": "p6", "name": "Erik Dahl", "role": "secretary general", "country": "DNK", "org": "NATO"},
    "Dahl": {"type": "person", "id": "p6", "name": "Erik Dahl", "role": "secretary general", "country": "DNK", "org": "NATO"},
    # a person the gazetteer does not know: no country
    "Tomas Lind": {"type": "person", "id": "x:tomas-lind", "name": "Tomas Lind", "role": "deputy minister", "country": None, "org": None},
    # a person whose country the tagger guessed from a neighbouring mention (wrongly: Chile)
    "Ama Owusu": {"type": "person", "id": "x:ama-owusu", "name": "Ama Owusu", "role": "minister", "country": "CHL", "org": None},
    # roles
    "Minister of Fisheries": {"type": "role", "name": None, "role": "fisheries minister", "country": "GHA", "org": None},
    "the Chilean foreign minister": {"type": "role", "name": None, "role": "foreign minister", "country": "CHL", "org": None},
    "the Chilean president": {"type": "role", "name": None, "role": "president", "country": "CHL", "org": None},
    "the Ghanaian president": {"type": "role", "name": None, "role": "president", "country": "GHA", "org": None},
    # countries
    "Norway": {"type": "country", "id": "NOR", "name": "Norway", "code": "NOR", "via": "name"},
    "Norwegian": {"type": "country", "id": "NOR", "name": "Norway", "code": "NOR", "via": "demonym"},
    "Chile": {"type": "country", "id": "CHL", "name": "Chile", "code": "CHL", "via": "name"},
    "Chilean": {"type": "country", "id": "CHL", "name": "Chile", "code": "CHL", "via": "demonym"},
    "Ghana": {"type": "country", "id": "GHA", "name": "Ghana", "code": "GHA", "via": "name"},
    "Ghanaian": {"type": "country", "id": "GHA", "name": "Ghana", "code": "GHA", "via": "demonym"},
    "Japan": {"type": "country", "id": "JPN", "name": "Japan", "code": "JPN", "via": "name"},
    "Japanese": {"type": "country", "id": "JPN", "name": "Japan", "code": "JPN", "via": "demonym"},
    "Poland": {"type": "country", "id": "POL", "name": "Poland", "code": "POL", "via": "name"},
    "Polish": {"type": "country", "id": "POL", "name": "Poland", "code": "POL", "via": "demonym"},
    "Brazilian": {"type": "country", "id": "BRA", "name": "Brazil", "code": "BRA", "via": "demonym"},
    "Kenyan": {"type": "country", "id": "KEN", "name": "Kenya", "code": "KEN", "via": "demonym"},
    # places
    "Oslo": {"type": "place", "id": "g1", "name": "Oslo", "country": "NOR", "lat": 59.91, "lon": 10.75},
    "Santiago": {"type": "place", "id": "g2", "name": "Santiago", "country": "CHL", "lat": -33.45, "lon": -70.66},
    "Accra": {"type": "place", "id": "g3", "name": "Accra", "country": "GHA", "lat": 5.56, "lon": -0.2},
    "Lisbon": {"type": "place", "id": "g4", "name": "Lisbon", "country": "PRT", "lat": 38.72, "lon": -9.13},
    "Osaka": {"type": "place", "id": "g5", "name": "Osaka", "country": "JPN", "lat": 34.69, "lon": 135.5},
    # organisations and groups
    "NATO": {"type": "org", "id": "NATO", "name": "NATO", "code": "NATO"},
    "Andes Contact Group": {"type": "org", "id": "ACG", "name": "Andes Contact Group", "code": "ACG",
                            "members": ["ARG", "BRA", "PER"]},
    "UN General Assembly": {"type": "org", "id": "UNGA", "name": "UN General Assembly", "code": "UNGA"},
}


def _mentions(text: str, field: str) -> list[dict]:
    out: list[dict] = []
    taken: list[tuple[int, int]] = []
    for surface in sorted(LEXICON, key=len, reverse=True):
        for m in re.finditer(r"(?<![\w])" + re.escape(surface) + r"(?![\w])", text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            rec = dict(LEXICON[surface], text=surface, start=s, end=e, field=field)
            out.append(rec)
    return sorted(out, key=lambda r: r["start"])


def tagged(text: str, title: str | None = None, published: str | None = "2025-03-12",
           article_id: str = "a-0123456789abcdef") -> dict:
    """A tagged-article message for `text` (2025-03-12 is a Wednesday)."""
    mentions = _mentions(text, "text") + (_mentions(title, "title") if title else [])
    return {"schema_version": 1, "article_id": article_id,
            "source": {"file": "t.txt", "url": None, "name": "test"},
            "published_at": published, "ingested_at": "2025-03-12T10:00:00.000000Z",
            "title": title, "text": text, "captions": [], "credit": None, "agency": None,
            "dateline": None, "updated": None, "dropped": [], "offset_map": [],
            "mentions": mentions}
