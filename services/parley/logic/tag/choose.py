"""Which gazetteer person a name means: among namesakes, close spellings, office holders of a
surname, and holders of a royal title by their given name."""
from __future__ import annotations

from .context import VAGUE_CONTEXT_ROLES

COMMON_SURNAME = 8          # more gazetteer people than this share the surname: needs context
SENIOR_ROLES = {"president", "prime minister", "foreign minister", "secretary of state", "chancellor",
                "king", "queen", "secretary general", "emir", "supreme leader", "pope", "crown prince"}


def known_person(gz, choices: tuple, fuzzy: bool, ctx, date):
    """The person of a known name window; ctx is a callable giving the context (only needed
    to rank several)."""
    if len(choices) == 1:
        return gz.people[choices[0][0] if fuzzy else choices[0]]
    if fuzzy:
        # among close spellings the person holding office at the date wins, then the closest
        context = ctx()
        return max(((gz.people[i], score) for i, score in choices),
                   key=lambda ps: (rank(ps[0], context, date), ps[1]))[0]
    return best([gz.people[i] for i in choices], ctx(), date)


def rank(p, ctx, date) -> tuple:
    role = p.role_at(date)
    return (
        ctx.get("country") is not None and p.country == ctx.get("country"),
        role is not None,
        role is not None and role[0] in SENIOR_ROLES,
        p.id.startswith("Q"),
        len(p.roles),
    )


def best(people, ctx, date):
    return max(people, key=lambda p: rank(p, ctx, date))


def pick_by_surname(cands, ctx, date, introduced):
    """The one office holder a bare surname means at the date ("President Aliyev", "Lavrov")."""
    if len({p.id for p in cands}) > COMMON_SURNAME and not (ctx.get("country") or ctx.get("role")):
        return None   # "Mr Smith": too many holders of the name to guess without a country or title
    held = [(p, p.role_at(date)) for p in cands]
    active = [(p, r) for p, r in held if r]
    if ctx.get("country"):
        # "Syrian President Bashar": a holder from another country is someone else
        active = [(p, r) for p, r in active if p.country == ctx["country"]]
        cands = [p for p in cands if p.country == ctx["country"]]
    if ctx.get("role") and ctx["role"] not in VAGUE_CONTEXT_ROLES:
        # the title in the text must fit the office held: "spokesman Smith" is no minister Smith
        active = [(p, r) for p, r in active if r[0] == ctx["role"]]
    senior = [(p, r) for p, r in active if r[0] in SENIOR_ROLES]
    if len(active) == 1 and (introduced or senior):
        return active[0][0]
    if len(active) == 1 and len({p.id for p in cands}) == 1 \
            and any(role[0] in SENIOR_ROLES for role in active[0][0].roles):
        # "Netanyahu": the only person of the surname, in office at the date and once in a
        # senior office (the record's current office may be a generic one: "minister")
        return active[0][0]
    if not active and introduced and len({p.id for p in cands}) == 1:
        return cands[0]      # "Imam Khomeini": the only person of that name, out of office at the date
    if senior:
        # several seniors: Wikidata-backed records are the better-maintained ones
        ranked = sorted(senior, key=lambda pr: (pr[0].id.startswith("Q"), pr[1][0] in ("president", "prime minister")), reverse=True)
        if len(ranked) == 1 or ranked[0][0].id.startswith("Q") and not ranked[1][0].id.startswith("Q"):
            return ranked[0][0]
    return None


def only_senior_holder(gz, key: str, date, short: bool = False):
    """The only gazetteer person of the surname `key` (exactly, no close spelling), in a senior
    office at the date ("Erdogan and Putin", "Macron to meet Xi"); else None. A surname under
    four letters only with `short` (a family name such as "Xi")."""
    ids = set(gz.surname_index.get(key, ()))
    if len(ids) != 1 or (len(key) < 4 and not short):
        return None
    p = gz.people[next(iter(ids))]
    role = p.role_at(date)
    return p if role is not None and role[0] in SENIOR_ROLES else None


def pick_by_regnal_name(gz, key: str, ctx: dict, date):
    """ "Queen Solveig", "King Tamo": a royal title (roles.tsv scope regnal) and a given
    name mean the gazetteer person of that first name who holds a royal title at the date
    (among several, the best ranked; none when the title's country rules them all out)."""
    if ctx.get("role") not in gz.regnal_roles:
        return None
    regnal = gz.regnal_roles
    held = []
    for i in gz.given_index.get(key, ()):
        p = gz.people[i]
        role = p.role_at(date)
        if role is not None and role[0] in regnal and (not ctx.get("country") or p.country == ctx["country"]):
            held.append(p)
    return best(held, ctx, date) if held else None
