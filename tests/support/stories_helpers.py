"""Meeting events written for the stories tests (as the detector publishes them on
events.meetings), and the story fingerprint the order tests compare."""
from __future__ import annotations

import hashlib

PEOPLE = {  # invented leaders of invented-but-valid ISO codes' sides
    "Ana Lund": ("ARM", "president"), "Boris Kane": ("AZE", "president"),
    "Carl Moss": ("ARM", "foreign minister"), "Dana Roe": ("AZE", "foreign minister"),
    "Eva Stone": ("FRA", "president"), "Finn Hale": ("FRA", "prime minister"),
    "Gus Park": ("USA", "president"), "Hana Ito": ("JPN", "prime minister"),
    "Ivo Dahl": ("USA", "vice president"),
}


# One meeting of two invented leaders, which many tests have reported several times.
SUMMIT = dict(people=("Ana Lund", "Boris Kane"), place="Vienna", place_country="AUT", date="2024-03-12")


def summit_reports() -> list[dict]:
    """The summit planned, cancelled, planned again, cancelled again, then held (two outlets)."""
    return [
        event("plan-1", status="planned", published="2024-03-01", **SUMMIT),
        event("cancel-1", status="cancelled", published="2024-03-05", **SUMMIT),
        event("plan-2", status="planned", published="2024-03-08", **SUMMIT),
        event("cancel-2", status="cancelled", published="2024-03-10", **SUMMIT),
        event("held-1", status="occurred", published="2024-03-13", **SUMMIT),
        event("held-2", status="occurred", published="2024-03-14", outlet="Other Wire", **SUMMIT),
    ]


def event(article: str, *, status="occurred", kind="meeting", people=("Ana Lund", "Boris Kane"), countries=None,
          orgs=(), place=None, place_country=None, city=True, date=None, date_text=None, published="2024-03-05",
          confidence=0.9, n=0, outlet=None, evidence=None) -> dict:
    """One events.meetings message; `article` names the article (its file and id)."""
    participants = [{"name": p, "role": PEOPLE.get(p, (None, None))[1], "country": PEOPLE.get(p, (None, None))[0],
                     "org": None} for p in people]
    if countries is None:
        countries = sorted({p["country"] for p in participants if p["country"]})
    digest = hashlib.sha256(f"{article}#{n}#{status}#{date}".encode()).hexdigest()[:16]
    return {
        "schema_version": 1, "event_id": "m-" + digest,
        "article_id": "a-" + hashlib.sha256(article.encode()).hexdigest()[:16],
        "source": {"file": f"{article}.txt", "url": f"https://news.example/{article}", "name": outlet or "Example News"},
        "published_at": published, "ingested_at": published + "T08:00:00Z",
        "kind": kind, "status": status, "participants": participants,
        "countries": sorted(countries), "orgs": sorted(orgs),
        "location": ({"name": place, "country": place_country, "lat": 1.0 if city else None,
                      "lon": 1.0 if city else None} if place else None),
        "date": {"text": date_text or date, "value": date} if date else None,
        "evidence": {"text": evidence or f"{' and '.join(people)} {status} ({article})", "start": 0, "end": 10},
        "confidence": confidence, "detected_at": published[:10] + "T09:00:00Z",
    }


def fingerprint(stories) -> list[tuple]:
    """What must not depend on the order events arrived in: ids, reports, status, fields."""
    return sorted((s.story_id, tuple(r.event_id for r in s.reports), s.status, s.date, s.place, s.people,
                   s.confidence) for s in stories)
