"""Which date expression of a clause dates the meeting: the date it was set for before the date of
the report ("on Tuesday called off the talks due next week"), and one date per counterpart
when each counterpart is followed by its own ("spoke to A yesterday and to B on Thursday").
"""
from __future__ import annotations

import re

from parley.logic import dates as _dates
from parley.logic.detect.location import gathering_fits
from parley.logic.detect.vocabulary import lex

# at most this many characters between a counterpart and the date that belongs to it alone
_OWN_DATE_GAP = 16


def meeting_date(text: str, sent_start: int, hit_start: int, clause_dates: list,
                 sentence_dates: list = (), next_hit: int | None = None, ahead: bool = False):
    """The date of the meeting among the clause's (offset, DateExpr) pairs: one the meeting is
    set for, else the one nearest the trigger. A date the meeting is set for may also stand in
    a relative clause after the trigger ("the talks, which had been scheduled for May"), up
    to the next trigger of the sentence. A meeting still `ahead` (planned, proposed) is not
    dated by the day of the statement that announces it ("Berg said Sunday she wants to meet
    Vega"). Returns (DateExpr or None, whether it is a date the meeting was set for)."""
    later = [(s, d) for s, d in sentence_dates if s > hit_start and (next_hit is None or s < next_hit)
             and (s, d) not in clause_dates]
    scheduled = [(s, d) for s, d in list(clause_dates) + later
                 if lex("date_scheduled").search(text, max(sent_start, s - 45), s)]
    pool = scheduled or clause_dates
    if ahead and not scheduled:
        pool = [(s, d) for s, d in pool if not statement_day(text, sent_start, s, s + len(d.text), hit_start)]
    if not pool:
        return None, False
    return min(pool, key=lambda sd: abs(sd[0] - hit_start))[1], bool(scheduled)


def statement_day(text: str, sent_start: int, start: int, end: int, hit_start: int) -> bool:
    """Whether the date at text[start:end], before a meeting trigger at `hit_start`, is the day
    of a statement: right after a speech verb or a statement noun ("said Sunday", "in a
    statement released Friday", "told reporters on Monday"), or followed by a speech verb before
    the trigger ("On Friday, Berg said", "Berg on Thursday told")."""
    if end > hit_start:
        return False
    if lex("statement_day_before").search(text, max(sent_start, start - 40), start):
        return True
    return bool(lex("statement_day_after").match(text, end, hit_start))


def dates_by_counterpart(text: str, groups: list, subj: list, clause_dates: list) -> list | None:
    """"spoke to Berg yesterday and the king on Thursday": when the counterparts of two
    or more groups are each followed by a date of their own, each group takes its date (a group
    without one takes None, left to the caller)."""
    if len(groups) < 2 or len(clause_dates) < 2:
        return None
    own = []
    for g in groups:
        others = [p for p in g if p not in subj]
        if not others:
            return None
        end = max(p.end for p in others)
        mine = [d for s, d in clause_dates if 0 <= s - end <= _OWN_DATE_GAP
                and not any(end <= p.start < s for h in groups for p in h if p not in subj)]
        own.append(mine[0] if mine else None)
    if len({d.text.lower() for d in own if d is not None}) < 2:
        return None
    return own


def anaphoric_dates(events: list, text: str, mentions: list[dict], published) -> None:
    """"The Berg-Vega summit Friday was ...", "during Ortega's visit on Monday", "Monday's talks":
    a meeting named again with a date of its own in a sentence that reports no meeting dates the
    report it names: the one of the sides named in the phrase (nearest), else the nearest report
    before it (after it when none comes before), if that report has no date of its own."""
    if not any(c.date_text is None or c.features.get("inherited_date") for c in events):
        return   # every report has a date of its own
    people = [m for m in mentions if m.get("type") in ("person", "role", "country")
              and (m.get("field") or "text") == "text"]
    ordered = sorted((c for c in events if c.field == "text"), key=lambda c: c.evidence["start"])
    for m in lex("meeting_phrase").finditer(text):
        expr, end = phrase_date(text, m)
        if expr is None:
            continue
        noun = m.group("noun").lower()
        kinds = ("visit", "meeting", "multilateral") if noun == "visit" else ("meeting", "multilateral")
        codes = _phrase_sides(m, people, end)
        # a report in the phrase's own sentence chose its date already
        pool = [c for c in ordered if c.kind in kinds
                and not c.evidence["start"] <= m.start() < c.evidence["end"]]
        if not codes and any(w[:1].isupper() for w in m.group("mods").split()):
            # "the Arctic Council summit Friday": a named gathering dates no bilateral meeting,
            # and a multilateral one only of its organisation
            orgs = [o for o in mentions if o.get("type") == "org" and m.start("mods") <= o["start"] < m.end("mods")]
            pool = [c for c in pool if c.kind == "multilateral" and gathering_fits(orgs, c)]
        if codes:
            pool = [c for c in pool if codes <= c.countries]
            target = min(pool, key=lambda c: abs(c.evidence["start"] - m.start()), default=None)
        else:
            before = [c for c in pool if c.evidence["start"] <= m.start()]
            target = before[-1] if before else (pool[0] if pool else None)
        if target is None or (target.date_text and not target.features.get("inherited_date")):
            continue
        future = target.status in ("planned", "proposed")
        value = _dates.resolve(expr, published, future)
        if not _consistent(value, target.status, published):
            continue
        target.date_text, target.date_value = expr.text, value
        target.features["anaphoric_date"] = True


def _consistent(value: str | None, status: str, published) -> bool:
    """A meeting that took place is not dated after the article's month."""
    pub = _dates.parse_published(published)
    if value is None or pub is None:
        return value is not None
    return not (status == "occurred" and value[:7] > pub.isoformat()[:7])


def _phrase_sides(m, people: list[dict], end: int) -> set:
    """The countries a meeting phrase names: mentions inside it (up to `end`, its "with"
    complement included) or ending at its possessive ("Ortega's visit"), and the people of the article a modifier names by one of their names
    ("the Berg-Vega summit")."""
    possessive = m.start("det") + len(m.group("det")) - 2
    named = [p for p in people if m.start() <= p["start"] < m.start("noun") or p["end"] == possessive
             or m.end() <= p["start"] < end]
    words = {w for w in re.split(r"[-–\s]+", m.group("mods")) if w[:1].isupper()}
    if words:
        named += [p for p in people if p.get("type") == "person"
                  and words & set(re.split(r"[-–\s]+", p.get("name") or p.get("text") or ""))]
    codes = set()
    for p in named:
        code = p.get("country") if p.get("type") != "country" else (p.get("code") or p.get("id"))
        if code:
            codes.add(code)
    return codes


def phrase_date(text: str, m):
    """The date a meeting phrase carries, and where the phrase ends: "Monday's summit" (the
    determiner), or a date right after the noun or after its "with" complement ("their summit
    with the Chilean leader Monday")."""
    det = m.group("det")
    if det.lower().rstrip("'’s") in _dates.WEEKDAYS or det.lower().startswith(("today", "yesterday")):
        found = _dates.find_dates(det)
        if found:
            return found[0], m.end()
    for d in _dates.find_dates(text[m.end():m.end() + 60]):
        if lex("phrase_date_gap").fullmatch(text, m.end(), m.end() + d.start):
            return d, m.end() + d.start
        break
    return None, m.end()


# between a speaker and the date of the statement ("Berg on Thursday said", "Berg said Sunday")
_SPEAKER_REACH = 45


def speech_dates(events: list, text: str, mentions: list[dict], published) -> None:
    """"Berg insisted Friday the deal was fair. ... Berg said during a meeting with
    Vega ...": a meeting told as the occasion of a statement, without a date of its own, took
    place on the day of the speaker's last dated statement before it."""
    persons = sorted((m for m in mentions if m.get("type") == "person" and m.get("name")
                      and (m.get("field") or "text") == "text"), key=lambda m: m["start"])
    for c in events:
        if c.field != "text" or c.date_text is not None or c.status != "occurred" or c.kind == "visit":
            continue
        start, sentence = c.evidence["start"], c.evidence["text"]
        occasion = lex("speech_occasion").search(sentence)
        if not occasion:
            continue
        verb = start + occasion.start()
        speaker = [m for m in persons if start <= m["start"] and m["end"] <= verb and verb - m["end"] <= 12]
        if not speaker:
            continue
        name = speaker[-1]["name"]
        expr = None
        for m in reversed([m for m in persons if m["name"] == name and m["end"] <= start]):
            expr = _statement_date(text, m["end"])
            if expr is not None:
                break
        if expr is not None:
            c.date_text, c.date_value = expr.text, _dates.resolve(expr, published, False)
            c.features["speech_date"] = True


_ONLY_ON = re.compile(r"\s*(?:on\s+)?", re.I)


def _statement_date(text: str, pos: int):
    """The day of a statement whose speaker ends at `pos`: "said Sunday", "insisted on Friday",
    "on Thursday said"; None for any other construction."""
    window = text[pos:pos + _SPEAKER_REACH]
    verb = lex("speech_verb").search(window)
    if verb is None:
        return None
    for d in _dates.find_dates(window):
        if d.kind not in _dates.DAY_KINDS:
            continue
        if d.end <= verb.start():      # speaker, date, verb
            if _ONLY_ON.fullmatch(window, 0, d.start) and not window[d.end:verb.start()].strip():
                return d
        elif verb.end() <= d.start:    # speaker, verb, date
            if not window[:verb.start()].strip() and _ONLY_ON.fullmatch(window, verb.end(), d.start):
                return d
        return None
    return None


# on the first days of a month a meeting reported without a date may have been in the last one
_FIRST_SURE_DAY = 4


def publication_month(events: list, published) -> None:
    """A meeting reported as the news of the day, that took place but has no date of its own
    in the article ("the ministers spoke with their counterpart in Lima"), took place in the
    month of publication: its date is that month, with no words (an empty date text). Not a
    meeting told as background or history (lexicon "background") or reported in the first
    days of a month."""
    pub = _dates.parse_published(published)
    if pub is None or pub.day < _FIRST_SURE_DAY:
        return
    for c in events:
        if c.field != "text" or c.status != "occurred" or c.date_text is not None:
            continue
        if lex("background").search(c.evidence["text"]) or lex("relative_time").search(c.evidence["text"]):
            continue
        c.date_text, c.date_value = "", pub.isoformat()[:7]
        c.features["publication_month"] = True
