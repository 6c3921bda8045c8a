"""What the whole article says about sides: whose perspective it takes, and sides that one
person passes on to another once both are known.

A newspaper names its own country's officials by their title alone ("President X", "Vice
President Y") and qualifies foreign ones ("Polish President Z"); a government release does
the same for its own government. The dateline says where a story is filed; when there is
none, the people the body introduces by a bare state title ("Prime Minister X", no country
word, no "of <country>", no apposition) and whom the gazetteer places in a country tell whose
perspective the article takes: the earliest of them. A title only one state has ("Secretary
of State X") counts only when no gazetteer person does, since such titles are left
unqualified for foreigners too ("Taoiseach X" in a Washington story). Like the dateline's
country, the perspective is the weakest evidence there is: it goes only to holders of state
offices (roles.tsv scope) the text gives no side.
"""
from __future__ import annotations

import re

from .records import Article, Found

# "the visiting President X": a guest, whose title says nothing of the article's perspective
_GUEST_RE = re.compile(r"\b(?:visiting|guest|foreign|host|hosting)\s+$", re.IGNORECASE)


def note_bare_title(gz, art: Article, text: str, ctx: dict, found: Found, start: int, weak: bool = False) -> None:
    """Record `found`, introduced at `start`, when a bare state title introduces them and the
    text itself gives them no side (weak: the side comes from a title one state has)."""
    if not art.body or not found.country or ctx.get("country") or ctx.get("org"):
        return
    if not ctx.get("adjacent") or ctx.get("role") not in gz.national_roles:
        return
    at = ctx.get("title_at", start)
    if _GUEST_RE.search(text, max(0, at - 10), at):
        return
    art.bare_titles.append((start, weak, found.country))


def implicit_home(art: Article) -> str | None:
    """The country of the earliest person introduced by a bare state title (gazetteer people
    before titles of one state)."""
    strong = [e for e in art.bare_titles if not e[1]]
    pool = strong or art.bare_titles
    return min(pool)[2] if pool else None


def link_followers(art: Article) -> None:
    """ "X's spokesman Y" where X was resolved after Y (a lone surname): Y follows X."""
    for f, pos in art.pending_follow:
        owner = art.person_ends.get(pos)
        if owner is not None and owner is not f and f.follows is None:
            f.follows = owner
    art.pending_follow = []
    follow_sides(art)


def follow_sides(art: Article) -> None:
    """A person without a side takes the side of the person they follow, once that is known."""
    for f in art.people:
        seen = 0
        g = f.follows
        while g is not None and not (g.country or g.org) and seen < 5:
            g, seen = g.follows, seen + 1
        if g is not None and not (f.country or f.org) and (g.country or g.org):
            f.country, f.org = g.country, g.org
