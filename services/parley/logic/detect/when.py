"""Which date expression of a clause dates the meeting: the date it was set for before the date of
the report ("on Tuesday called off the talks due next week"), and one date per counterpart
when each counterpart is followed by its own ("spoke to A yesterday and to B on Thursday").
"""
from __future__ import annotations

from parley.logic.detect.vocabulary import lex

# at most this many characters between a counterpart and the date that belongs to it alone
_OWN_DATE_GAP = 16


def meeting_date(text: str, sent_start: int, hit_start: int, clause_dates: list,
                 sentence_dates: list = (), next_hit: int | None = None):
    """The date of the meeting among the clause's (offset, DateExpr) pairs: one the meeting is
    set for, else the one nearest the trigger. A date the meeting is set for may also stand in
    a relative clause after the trigger ("the talks, which had been scheduled for May"), up
    to the next trigger of the sentence. Returns (DateExpr or None, whether it is a date the
    meeting was set for)."""
    later = [(s, d) for s, d in sentence_dates if s > hit_start and (next_hit is None or s < next_hit)
             and (s, d) not in clause_dates]
    scheduled = [(s, d) for s, d in list(clause_dates) + later
                 if lex("date_scheduled").search(text, max(sent_start, s - 45), s)]
    pool = scheduled or clause_dates
    if not pool:
        return None, False
    return min(pool, key=lambda sd: abs(sd[0] - hit_start))[1], bool(scheduled)


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
