"""Clause -> candidates: for one trigger, the sides in subject and object position of its
clause, its status, date and place, made into candidate meetings (one per counterpart when they
are distributed, one per destination of a visit).
"""
from __future__ import annotations

import re

from parley.logic import dates as _dates
from parley.logic.detect.distinct import repeat_marks
from parley.logic.detect.grammar import Sentence, clause_span
from parley.logic.detect.location import in_person_talk, occasion_location, sentence_location
from parley.logic.detect.parties import glue, same_side_as_partner
from parley.logic.detect.records import Candidate, Party, sides
from parley.logic.detect.reference import (countries_referred, find_protagonist, in_quote,
                                           object_pronoun, previous_sentence_date,
                                           resolve_reference, speaker)
from parley.logic.detect.sides import (by_side, drop_non_subjects, inside, is_occasion, last_left_boundary,
                                       object_side, one_to_many, paired_sides)
from parley.logic.detect.status import trigger_status
from parley.logic.detect.vocabulary import Trigger, lex
from parley.logic.detect.when import dates_by_counterpart, meeting_date


def _past_sides_apposition(text, sent, right: int) -> int:
    """"talks between Chile and two neighbours — Peru and Bolivia — are set for ...": a dash
    after a plural noun of sides opens the list of them (an apposition), not a new clause; the
    clause goes on after the closing dash."""
    if text[right:right + 1] not in "—–" or not lex("sides_apposition").search(text, max(sent.start, right - 40), right + 1):
        return right
    close = text.find(text[right], right + 1, sent.end)
    return right if close == -1 else clause_span(text, sent, close + 1, close + 1)[1]


class SentenceDates:
    """The date expressions of a sentence (absolute offsets), found on first use: most
    triggers are turned down before their date matters."""

    __slots__ = ("sent", "found")

    def __init__(self, sent: Sentence):
        self.sent, self.found = sent, None

    def __call__(self) -> list:
        if self.found is None:
            start = self.sent.start
            self.found = [(start + d.start, d) for d in _dates.find_dates(self.sent.text)]
        return self.found


def candidates_for(text, sent, hit, parties, places, date_exprs, paren, quotes, hits,
                   field_name, ctx) -> list[Candidate]:
    trig = hit.trig
    left, right = clause_span(text, sent, hit.start, hit.end)
    right = _past_sides_apposition(text, sent, right)
    # "met Ortega in Oslo, ahead of the summit with Sato next week": what follows another
    # meeting noun of the clause is that meeting's (its counterparts, its date)
    following = next((h for h in hits if hit.end < h.start < right and h.trig.cls == "noun"), None)
    if following is not None and lex("other_meeting_start").search(text, max(sent.start, following.start - 40), following.start):
        right = following.start
    # a trigger in a relative clause ("Rubin, who is visiting Armenia, ...") takes the antecedent
    in_paren = inside(hit.start, paren)
    if in_paren and text[in_paren[0]] == ",":
        right = min(right, in_paren[1])
        left = in_paren[0] + 1   # cues of the relative clause only
        left_subject_end = in_paren[0]
        left_subject_start = max(sent.start, last_left_boundary(text, sent, left_subject_end))
    else:
        left_subject_start, left_subject_end = left, hit.start
    other_paren = [p for p in paren if p != in_paren]

    if trig.obj == "topic" and trig.cls == "verb" and any(h.start < hit.start for h in hits) \
            and lex("purpose").search(text, max(sent.start, hit.start - 12), hit.start):
        return []
    if trig.obj == "topic" and trig.cls == "verb" and in_quote(sent, hit.start) \
            and lex("discuss").search(text, hit.start, hit.end):
        return []   # "let's discuss this" in quoted speech is talk about a topic
    if "weak" in trig.flags and in_quote(sent, hit.start):
        return []   # "Members of the G7 summit, let's ...": quoted speech about a meeting
    if "attend" in trig.flags and not lex("attend").search(text, max(sent.start, hit.start - 60), hit.start):
        return []

    if "joinedby" in trig.flags:
        # "They were joined by Japanese officials": more sides of the meeting just reported
        if ctx.last_candidates:
            _join_last(text, [p for p in parties if hit.end <= p.start < right], hit.end, hit, ctx,
                       end=right)
        return []
    if "weak" in trig.flags and ctx.last_candidates and lex("join").search(
            text, max(sent.start, hit.start - 40), hit.start) \
            and lex("anaphoric").search(text, max(sent.start, hit.start - 30), hit.start):
        _join_last(text, parties, left, hit, ctx)
        return []
    subj = [p for p in parties if left_subject_start <= p.start < left_subject_end
            and not inside(p.start, other_paren) and not is_occasion(text, sent, p)]
    subj = drop_non_subjects(text, subj, left_subject_start, left_subject_end)
    if in_paren and text[in_paren[0]] == "," and len(subj) > 1:
        subj = _antecedent(text, subj)
    # "urged X to meet Y", "called on X to resume talks": X is the subject of the infinitive
    control = lex("control").search(text, max(sent.start, hit.start - 160), hit.start)
    if control:
        asked = [p for p in parties if control.start("who") <= p.start < control.end("who") and p.sides]
        if asked:
            subj = asked
    agents: list[Party] = []
    if "agent" in trig.flags:
        # "a visit by X to Y", "the visit of X to Y": the visitor follows the noun
        stop = lex("agent_end").search(text, hit.end, max(right, hit.end))
        agents = [p for p in parties if hit.end <= p.start < (stop.start() if stop else right) and p.sides]
        if not agents:
            return []
        subj = agents
        parties = [p for p in parties if p not in agents]
    subj_text = text[left_subject_start:left_subject_end]
    used_coref = False
    if not any(p.sides for p in subj):
        ref = resolve_reference(text, subj_text, ctx, parties, hit.start, sent)
        if ref:
            subj = ref
            used_coref = True

    protagonist = False
    obj, dests, loc = object_side(text, trig, hit, right, parties, places, other_paren, sent)
    if "abstract" in trig.flags and lex("meet_abstract").match(text, hit.end):
        return []     # "will meet the needs of farmers", "meet a third of demand"
    if "direct" in trig.flags and not _direct_object(text, hit, obj):
        return []     # "called Ortega a liar", "called the talks useful"
    if "appeal" in trig.flags and lex("appeal_to").match(text, obj[0].end if obj else hit.end, sent.end):
        return []     # "called on X to resume talks": an appeal, not a visit to X
    if not sides(obj) and trig.obj == "party" and trig.kind == "call":
        # "the Kenyan leader said the taoiseach had rung him"
        obj = object_pronoun(text, sent, hit, parties, ctx, sides(subj)) or obj
    if not sides(obj) and trig.kind != "visit":
        obj = countries_referred(text, hit, right, parties, ctx) or obj
    implicit = None
    if not any(p.sides for p in subj) and obj and trig.kind != "visit" \
            and not ("between" in trig.flags and len(sides(obj)) >= 2):
        # a slice, not pos=: "^" in the pattern must match at the clause start
        implicit = lex("subjectless").search(text[max(sent.start, left_subject_start):hit.end + 40])
    if implicit and not lex("passive").search(implicit.group(0)) and obj:
        # "During the meeting with X, the President of Y said ...": the main clause after the
        # comma names the other side; the counterparts end at that comma
        comma = text.find(",", obj[0].end, sent.end)
        if comma != -1:
            obj = [p for p in obj if p.start < comma]
            main, _ = _main_clause(text, sent, parties, comma)
            if main and not (main.sides & sides(obj)):
                subj, implicit = [main], None
                used_coref = True
    elif not any(p.sides for p in subj) and not sides(obj) and trig.obj == "topic" and trig.kind != "visit":
        # "In a phone call on Monday, X told Y that ...": the main clause names both sides
        opening = lex("subjectless").search(text[max(sent.start, left_subject_start):hit.end + 40])
        comma = text.find(",", hit.end, sent.end)
        if opening and not lex("passive").search(opening.group(0)) and comma != -1:
            main, addressee = _main_clause(text, sent, parties, comma)
            if main and addressee and not (main.sides & addressee.sides):
                subj, obj = [main], [addressee]
                used_coref = True
    if implicit and not lex("passive").search(implicit.group(0)):
        # "X said at a joint press conference with Y": the speaker of the sentence
        who = speaker(text, sent, [p for p in parties if p.start < hit.start])
        if who is not None and who.sides and not (who.sides & sides(obj)):
            subj, implicit = [who], None
    if implicit:
        hero = find_protagonist(ctx, sides(obj))
        if hero and lex("passive").search(implicit.group(0)):
            # "meetings were held with ...": the side is known, the person only guessed
            subj = [Party(None, hero.role, hero.country, hero.org, hero.countries, hero.orgs,
                          hero.start, hero.end, "role")]
            used_coref = protagonist = True
        elif hero:
            subj = [hero]      # "During the meeting with ...": the article's main actor
            used_coref = protagonist = True
    if any(p.kind == "person" and p.sides for p in subj):
        ctx.subjects.append([p for p in subj if p.kind == "person" and p.sides][-1])
    if trig.cls == "noun" and trig.kind in ("meeting", "multilateral") and loc and loc.get("country") \
            and len(sides(subj) | sides(obj)) < 2 \
            and sides(subj) and loc["country"] not in sides(subj) \
            and lex("attend_verb").search(text, max(sent.start, hit.start - 60), hit.start) \
            and trigger_status(text, sent, hit, left, right) in ("denied", "cancelled"):
        # "will not attend next week's summit in Nairobi": a trip to the summit's country
        # called off (an attendance that happens is told as the summit itself)
        host = Party(None, None, loc["country"], None, frozenset([loc["country"]]), frozenset(),
                     hit.start, hit.end, "country", loc.get("name"))
        trig, dests = Trigger("visit", trig.cls, "dest", frozenset(), trig.pattern), [(host, loc)]
    if trig.kind == "visit" and not dests:
        return []
    # "Trump's planned visit to Warsaw", "the President's meeting with ...": the possessor
    # is the subject side (a verb form after a possessive is a noun: "Biden's meeting")
    reach = 22 if trig.kind == "visit" or trig.cls == "noun" else 3
    owner = [p for p in parties if p.sides and text[p.end:p.end + 2] in ("'s", "’s")
             and (0 <= hit.start - p.end <= reach or _POSSESSED.fullmatch(text, p.end, hit.start))]
    if owner:
        subj = owner[-1:]
    subj = same_side_as_partner(subj, obj, ctx)
    pair = None if trig.kind == "visit" else paired_sides(text, parties, left, max(right, hit.end),
                                                          hit.start)
    reachable = sides(subj) | sides(obj) | sides(pair or []) | frozenset().union(*(d[0].sides for d in dests if d[0]))
    if len(reachable) < 2:
        return []     # no meeting of two sides can come out of this trigger
    marks = repeat_marks(text, sent, hit, left, right, trig.kind == "visit")
    status = trigger_status(text, sent, hit, left, right)
    if status == "occurred" and trig.cls == "verb" and _subject_then_to(text, left, hit.start, parties):
        status = "planned"    # "Modi, Sharif to meet on sidelines of summit": the wire's future
    if marks.get("earlier") and status in ("planned", "proposed"):
        status = "occurred"   # "Monday's talks follow their first meeting": that one took place
    if status in ("uncertain", "habitual"):
        return []
    # "a planned summit on Thursday has been cancelled": the date was ahead when it was called off
    future = status in ("planned", "proposed") or (
        status in ("cancelled", "denied") and bool(lex("was_ahead").search(text, left, max(right, hit.end))))

    if "needobj" in trig.flags and not sides(obj):
        return []
    if "between" in trig.flags and lex("between_word").match(text, hit.end) and len(sides(obj)) < 2:
        return []   # "a conversation between the two of them": sides named elsewhere
    noun_between = ("between" in trig.flags or lex("of_complement").match(text, hit.end)) \
        and sides(obj) and len(sides(obj)) >= 2
    plural = "plural" in trig.flags or lex("plural").search(text, hit.start, hit.end)
    # the whole-sentence "separately" scan only when there are counterparts to distribute
    distribute = len(obj) > 1 and bool(plural or lex("separately").search(sent.text))
    respectively = bool(lex("respectively").search(text, hit.end, sent.end))
    groups: list[list[Party]]
    if trig.kind == "visit":
        groups = []
    elif len(sides(obj)) >= 2 and lex("topic_of").search(text, max(sent.start, hit.start - 40), hit.start):
        # "briefed reporters on the talks between A and B": the subject reports, the
        # complement names the sides
        groups = [obj]
    elif noun_between:
        # "Rubin took part in the meeting of the US-Armenia task force": he sits on a listed side
        groups = [obj + [p for p in subj if p.name and p.sides and p.sides <= sides(obj)]]
    elif pair:
        # "Türkiye hosted the Russia-Ukraine negotiations": the compound names the sides, the
        # host is the venue
        groups = [pair + [p for p in subj + obj if p.name and p.sides and p.sides <= sides(pair)
                          and p not in pair]]
    elif distribute or respectively:
        groups = [subj + [o] for o in obj]
    elif one_to_many(subj, obj, trig, hit, text, sent):
        groups = [subj + g for g in by_side(obj)]
    elif one_to_many(obj, subj, trig, hit, text, sent) and lex("each").search(text, sent.start, hit.start):
        groups = [g + obj for g in by_side(subj)]
    else:
        groups = [subj + obj]

    # dates: the nearest expression in the clause, or one per counterpart with "respectively"
    date_exprs = date_exprs()
    clause_dates = [(s, d) for s, d in date_exprs if left <= s < max(right, hit.end) + 1]
    per_group_dates = None
    if respectively and len(clause_dates) >= 2:
        per_group_dates = [d for _, d in clause_dates]
    elif trig.kind != "visit":
        per_group_dates = dates_by_counterpart(text, groups, subj, clause_dates)
    best_date, scheduled = meeting_date(text, sent.start, hit.start, clause_dates, date_exprs,
                                        next((h.start for h in hits if h.start > hit.end), None),
                                        ahead=status in ("planned", "proposed"))
    if marks.get("earlier"):
        best_date = next((d for s, d in clause_dates if s >= hit.end), None)   # its own date only
    if scheduled and status in ("cancelled", "denied"):
        future = True    # "called off the summit set for June 12": the date lay ahead
    if best_date is None and not date_exprs and status == "occurred" and not marks.get("earlier"):
        now = lex("ongoing").search(text, left, max(right, hit.end))
        if now:
            # "... are also taking part in the meeting": on the day of publication
            best_date = _dates.DateExpr(now.group(0), now.start() - sent.start,
                                        now.end() - sent.start, "today", ())
        else:
            best_date = previous_sentence_date(text, sent, subj + obj, ctx)

    location = None if trig.kind == "call" else (loc or sentence_location(text, sent, places, hit)
                                                 or occasion_location(text, sent, places, parties))
    evidence = {"text": sent.text, "start": sent.start, "end": sent.end}
    if field_name != "text":
        evidence["field"] = field_name
    strength = 2 if trig.cls == "verb" else (0 if "weak" in trig.flags else 1)
    feats = {"coref": used_coref, "protagonist": protagonist, "field": field_name,
             "elaboration": trig.obj == "topic" and trig.cls == "verb"
             and bool(lex("discuss").match(text, hit.start)),
             "anaphoric": trig.cls == "noun" and bool(lex("anaphoric").search(text, max(sent.start, hit.start - 30), hit.start)), "quoted": bool(inside(hit.start, quotes)),
             "occasion": trig.cls == "noun" and any(sent.start <= h.start < hit.start for h in hits)
             and bool(lex("occasion_noun").search(text, max(sent.start, hit.start - 60), hit.start)),
             "strength": strength, "trigger": text[hit.start:hit.end].lower(),
             **marks}

    out = []
    if trig.kind == "visit":
        for i, (dest_party, dest_loc) in enumerate(dests):
            if dest_loc and dest_loc.get("_level") == "country" and loc and loc.get("_level") != "country" \
                    and loc.get("country") == dest_loc.get("country") and len(dests) == 1:
                dest_loc = loc    # "visited the Chilean embassy in Santiago": the town of the country
            # "A and B agreed to exchange visits to Oslo and Santiago": the
            # visitors of each of several places are the subjects from elsewhere
            visitors = subj
            if dest_party is not None:
                several = len({q.sides for q, _ in dests if q is not None}) > 1
                # the host country's name in the subject ("the ambassador of Chile to Norway")
                visitors = [p for p in subj if not (p.sides & dest_party.sides and (several or p.kind == "country"))] \
                    or subj
            sides_parties = visitors + ([dest_party] if dest_party else [])
            d = best_date
            if per_group_dates and i < len(per_group_dates):
                d = per_group_dates[i]
            elif len(dests) > 1 and dest_party is not None:
                # "in Seoul on April 12 and Tokyo on April 14": the date after each destination
                nxt = next((q.start for q, _ in dests[i + 1:] if q is not None and q.sides != dest_party.sides),
                           max(right, hit.end))
                own = [dd for st, dd in clause_dates if dest_party.end <= st < nxt]
                d = own[0] if own else d
            # the host named after the trigger, or among subjects who exchange visits
            hosts = [p for p in parties if (p.start > hit.end or (p in subj and p not in visitors))
                     and p.name and dest_party is not None and p.countries
                     and p.countries <= dest_party.countries]
            c = _make(trig.kind, status, sides_parties + hosts, dest_loc, d, future, evidence, field_name,
                      strength, feats, ctx, visitor=visitors)
            if c:
                out.append(c)
        return out
    kind = trig.kind
    if kind == "meeting" and lex("remote").match(text, hit.end, max(right, hit.end)):
        kind, location = "call", None    # "talks held via videoconference"
    elif kind == "call" and "inperson" in trig.flags and in_person_talk(text, hit, loc, left, right):
        kind, location = "meeting", loc  # "spoke with her counterpart in Lima" (not "... in Lima by phone")
    # "his NATO summit meeting with X", "at a NATO summit": an organisation naming the meeting
    # is its occasion; with one country besides it there is no second side
    named_by = frozenset()
    if not pair:
        named_by = frozenset().union(*(p.orgs for p in parties if p.kind == "org" and 0 <= hit.start - p.end <= 12
                                       and len(text[p.end:hit.start].split()) <= 1
                                       and (trig.cls == "noun" or lex("meeting_noun").match(text, p.end))
                                       and not lex("convene_verb").search(text, max(sent.start, p.start - 40), p.start)))
    for i, g in enumerate(groups):
        d = best_date
        if per_group_dates and i < len(per_group_dates) and per_group_dates[i] is not None:
            d = per_group_dates[i]
        g_orgs = sides([p for p in g if not p.countries])
        if named_by and g_orgs and g_orgs <= named_by and len(frozenset().union(*(p.countries for p in g))) == 1:
            continue
        c = _make(kind, status, g, location, d, future, evidence, field_name, strength,
                  feats, ctx)
        if c:
            out.append(c)
    return out


def _subject_then_to(text, left: int, hit_start: int, parties) -> bool:
    """"Berg to meet Ortega", "Norway, Chile to hold talks": the clause is only its subjects and
    "to" before the verb, the headline and wire form of a plan."""
    mine = [p for p in parties if left <= p.start and p.end <= hit_start]
    if not mine:
        return False
    rest, pos = [], left
    for p in sorted(mine, key=lambda p: p.start):
        rest.append(text[pos:p.start])
        pos = p.end
    rest.append(text[pos:hit_start])
    return bool(lex("subject_then_to").fullmatch("|".join(rest)))


# "the minister's own meeting with ...": a possessive and one modifier before a meeting word
_POSSESSED = re.compile(r"['’]s\s+(?:own|first|planned|upcoming|next|latest|expected)\s+")


def _antecedent(text, subj: list[Party]) -> list[Party]:
    """"X declined to receive the Swedish envoy, who instead held talks with ...": a relative
    clause speaks of the noun phrase right before it (with what is coordinated to it)."""
    out = [subj[-1]]
    for p in reversed(subj[:-1]):
        gap = text[p.end:out[0].start]
        if len(gap) > 45 or not glue(gap):    # "A, B and the President of C D, who ..."
            break
        out.insert(0, p)
    return out


def _main_clause(text, sent, parties, comma) -> tuple[Party | None, Party | None]:
    """The subject of the main clause after an opening phrase that ends at `comma` ("During
    the talks with X, the President of Y said ..."), and the person it addresses when its verb
    takes one ("..., X told Y that ...")."""
    main = next((p for p in parties if comma < p.start <= comma + 60 and p.sides
                 and lex("main_subject").fullmatch(text, comma + 1, p.start)), None)
    if main is None:
        return None, None
    addressee = next((p for p in parties if main.end < p.start <= main.end + 40 and p.sides
                      and lex("addressed").fullmatch(text, main.end, p.start)), None)
    return main, addressee


def _direct_object(text, hit, obj: list[Party]) -> bool:
    """Is the first counterpart the direct object right after the trigger ("called the Chilean
    president"), and not named as something ("called Ortega a liar", "called Chile irresponsible")?"""
    if not sides(obj) or not glue(text[hit.end:obj[0].start]):
        return False
    if text[obj[0].end:obj[0].end + 2] in ("'s", "’s") and not lex("envoy_after").match(text, obj[0].end + 2):
        return False  # "called Ortega's plan reckless": the object is the possessor's thing
    tail = lex("np_tail").match(text, obj[-1].end)    # "the Chilean | ambassador"
    return not lex("named_as").match(text, tail.end() if tail else obj[-1].end)


def _join_last(text, parties, left, hit, ctx, end=None) -> None:
    """"The Italian minister joined the talks": one more side for the meeting just reported."""
    joiners = [p for p in parties if left <= p.start < (hit.start if end is None else end) and p.sides]
    if not joiners:
        return
    last = ctx.last_candidates[-1]
    for p in joiners:
        if p.name or p.role:
            last.parties.append(p)
        last.countries |= p.countries
        last.orgs |= p.orgs
    if last.kind in ("meeting", "multilateral"):
        last.kind = "multilateral" if len(last.countries) + len(last.orgs) >= 3 else "meeting"
    last.features["sides"] = list(last.features.get("sides") or last.parties) + joiners
    ctx.last_event_parties = list(last.features["sides"])


def _make(kind, status, parties, location, date_expr, future, evidence, field_name, strength,
          feats, ctx, visitor=None) -> Candidate | None:
    countries = frozenset().union(*(p.countries for p in parties)) if parties else frozenset()
    orgs = frozenset().union(*(p.orgs for p in parties)) if parties else frozenset()
    if len(countries) + len(orgs) < 2:
        return None
    if visitor is not None:
        v = frozenset().union(*(p.sides for p in visitor)) if visitor else frozenset()
        if not v or v >= countries | orgs:
            return None     # a visit needs a visitor from elsewhere
    if kind in ("meeting", "multilateral"):
        kind = "multilateral" if len(countries) + len(orgs) >= 3 else "meeting"
    if location is None and kind in ("meeting", "multilateral") and ctx.location \
            and ctx.location_status_future == future:
        location = ctx.location
        feats = dict(feats, context_location=True)
    value = _dates.resolve(date_expr, ctx.published, future) if date_expr else None
    people = []
    seen = set()
    for p in parties:
        key = (p.name, p.role, p.country, p.org)
        if key in seen or not (p.name or p.role):
            continue
        seen.add(key)
        people.append(p)
    feats = dict(feats, sides=list(parties))   # every side, named or not, for later "the two"
    return Candidate(kind, status, people, countries, orgs, location,
                     date_expr.text if date_expr else None, value, evidence, field_name,
                     strength, feats)
