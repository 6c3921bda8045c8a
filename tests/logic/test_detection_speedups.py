"""The shortcuts of the detector's hot paths give what the plain scans they replace give."""
from parley.logic.dates import find_dates
from parley.logic.detect import status
from parley.logic.detect.grammar import (EMBEDDED_QUOTE, LEFT_BOUNDARY, RIGHT_BOUNDARY, SHORT_QUOTE,
                                         clause_span, split_sentences)

WINDOWS = [
    "The two ministers are expected to meet next week in Geneva",
    "officials said the talks had been cancelled at the last minute",
    "the summit, which is not planned for this year, may still take place",
    "Sources denied that the leaders had ever met or spoken by phone",
    "A proposed visit was postponed and later called off entirely",
    "they will hold talks, but no date has been set; an aide said it was not scheduled",
    "ON MONDAY THE PRESIDENT WILL NOT TRAVEL TO THE REGION",
    "the viſit was not ſcheduled and later cancelled",
    "they ſhall meet, willing or not",
    "",
]


def _statuses_by_full_scan(scope: str, window: str) -> set:
    """The cues of the scope whose literal prefixes occur in the window, tried at every
    position of it."""
    low = window.lower()
    chosen = tuple(i for i, (_, _, pre) in enumerate(status.cue_groups().get(scope, ()))
                   if pre is None or any(x in low for x in pre))
    if not chosen:
        return set()
    rx, statuses = status.cue_rx(scope, chosen)
    found, pos = set(), 0
    while (m := rx.search(window, pos)) is not None:
        found.add(statuses[int(m.lastgroup[1:])])
        pos = m.start() + 1
    return found


def test_cue_statuses_tried_at_prefix_starts_equal_a_scan_of_every_position():
    for scope in status.cue_groups():
        for window in WINDOWS:
            found: set = set()
            status.cue_statuses(scope, window, found)
            assert found == _statuses_by_full_scan(scope, window), (scope, window)


def test_cue_statuses_find_a_status_in_a_window_that_states_it():
    found: set = set()
    status.cue_statuses("any", "the meeting was cancelled after the storm", found)
    assert "cancelled" in found


def _sentences(text):
    return [s.text for s in split_sentences(text)]


def test_titles_and_initials_before_a_period_do_not_end_the_sentence():
    text = "Mr. Ode met Dr. Varn in the U.S. capital. J. Kell joined them later."
    assert _sentences(text) == ["Mr. Ode met Dr. Varn in the U.S. capital.", "J. Kell joined them later."]


def test_a_period_after_an_ordinary_word_ends_the_sentence():
    assert _sentences("The envoys met. Talks went on. Nothing was agreed.") == [
        "The envoys met.", "Talks went on.", "Nothing was agreed."]


def test_a_period_opening_a_line_after_a_title_does_not_end_a_sentence():
    # the line break ends the first sentence; the period after it follows the title "Gov"
    # on the line before, so it ends nothing
    assert _sentences("He met the Gov\n. Later that day, he left") == [
        "He met the Gov", ". Later that day, he left"]


def test_dates_far_apart_in_one_sentence_are_all_found():
    filler = " ".join(["the delegations exchanged views on several matters"] * 3)
    text = f"They met on 3 March 2021 and, after {filler}, again on 9 April 2021."
    assert [d.text for d in find_dates(text)] == ["3 March 2021", "9 April 2021"]


def test_repeated_iso_dates_are_each_found():
    text = "date: '2023-05-19' filed: 2023-05-19 08:07"
    assert [(d.text, d.start) for d in find_dates(text)] == [("2023-05-19", 7), ("2023-05-19", 26)]


def test_words_long_before_any_date_word_do_not_hide_a_later_date():
    text = "In " + "x " * 80 + "the talks of Monday"
    assert [d.text for d in find_dates(text)] == ["Monday"]


def _clause_by_full_scan(text, sent, t_start, t_end):
    """The clause span with the boundary regexes tried at every position (a partial quote or
    a quoted name closed by the last opener is no opener: the one before it counts)."""
    def last_opener(seg):
        cut = 0
        for m in LEFT_BOUNDARY.finditer(seg):
            cut = m.end()
        return cut
    seg = text[sent.start:t_start]
    cut = last_opener(seg)
    quoted = [q for q in EMBEDDED_QUOTE.finditer(seg) if q.end() == cut]
    if cut and quoted:
        cut = last_opener(seg[:quoted[0].start()])
    left = sent.start + cut
    pos = t_end
    while (m := RIGHT_BOUNDARY.search(text, pos, sent.end)) is not None:
        q = SHORT_QUOTE.match(text, m.start())
        if q and q.end() <= sent.end:
            pos = q.end()
            continue
        return left, m.start()
    return left, sent.end


CLAUSE_TEXTS = [
    "The minister said that he met his counterpart in Rome, while aides - as well as envoys - waited.",
    "AS EXPECTED, THE LEADERS MET; THEY TALKED ABOUT TRADE, ACCORDING TO OFFICIALS.",
    "She told reporters the \"Quartet\" talks, which began Monday, would go on and then end.",
    "“We met,” he said — adding that talks were held so that both sides could agree.",
    "The envoy, who is viſiting the region, ſaid the İnterior minister would meet him.",
]


def test_clause_spans_from_keyed_boundary_starts_equal_a_scan_of_every_position():
    for text in CLAUSE_TEXTS:
        sent = split_sentences(text)[0]
        for t_start in range(sent.start, sent.end, 3):
            t_end = min(sent.end, t_start + 4)
            assert clause_span(text, sent, t_start, t_end) == \
                _clause_by_full_scan(text, sent, t_start, t_end), (text, t_start)
