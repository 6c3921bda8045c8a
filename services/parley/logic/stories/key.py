"""The partition (blocking) key: which events could ever join the same story.

A stream processor partitions `events.meetings` by this key, so every report that may merge
with another reaches the same table partition; the merging rules never join two events with
different keys.

- A session of an international body or forum (kind `multilateral` with organisations, e.g.
  the UN General Assembly, an EPC or NATO summit): `o:` + the sorted organisations. Articles
  name different member countries as taking part (IRN in one, UKR in another), so the
  country set cannot be part of the key; the story's countries are the union.
- Anything else: `c:` + the sorted country set, and `|o:` + the sorted organisations when an
  organisation is a side (NATO's secretary general meeting a minister).

The risk: an event whose detected country set is wrong by one country (a missed or an extra
side) gets another key and can never join its story; the story is then reported twice. Keys
over country pairs would tolerate that, but an event would have to reach several partitions
and a story could live in more than one; see docs/stories.md.
"""
from __future__ import annotations


def partition_key(event: dict) -> str:
    """The key of an `events.meetings` event (a dict as on the topic)."""
    return key_of(event.get("kind"), event.get("countries") or (), event.get("orgs") or ())


def key_of(kind: str | None, countries, orgs) -> str:
    orgs = sorted(set(orgs))
    if kind == "multilateral" and orgs:
        return "o:" + "+".join(orgs)
    key = "c:" + "+".join(sorted(set(countries)))
    return key + ("|o:" + "+".join(orgs) if orgs else "")
