"""Tag an `articles.clean` message with people, roles, countries, places, orgs and topics.

    from parley.logic.tag import tag
    tagged = tag(clean)        # clean fields + "mentions"

One Aho-Corasick pass (gazetteer.scan) finds every known phrase (spans); one regex pass finds
runs of capitalised words (shapes). Runs not explained by known phrases are person-name
candidates (names), resolved against the gazetteer (exact alias, then fuzzy), against people
already named in the article (surnames, typos), or accepted as new people when a role,
honorific or known given name introduces them (people, context); which gazetteer person a name means
among several is choose.py's. Titles left without a name are unnamed officials (officials);
places and capitals have their own rules (places). tagger.py runs the steps in order;
records.py holds the data classes they share.

A person's side (country or organisation) comes from the text first (context): a demonym,
country or organisation before the title ("Kenyan President X", "U.S. Trade Representative
X", "Russia's U.S. ambassador X"), "of <country>" in the title's tail or after the name (but
not "to"/"for <country>": "Kenyan Ambassador to Norway X" is Kenya's), an appositive, the
person named right before ("Putin's spokesman X", "Syrian President A and Foreign Minister
B", "President A, Foreign Minister B, and Attorney General C"), a title stacked on an owned
title ("Chinese Minister of National Defense General X"). Then from the rest of the article
(any mention that gives one gives it to all, surnames and family names carry it forward;
"A's spokesman X" takes A's side once A has one), then from a title only one state has
("Secretary of State X"), and last from the dateline's country, or else the article's
perspective, for a state office (roles.tsv scope; perspective.py: a story names its own
country's officials by bare titles). A gazetteer person keeps the office held at the date, or
the side of the office the text names; a royal title and a given name find the monarch
("Queen X").

Speed: what depends on the gazetteer only is kept per process in bounded dicts: for each
capitalised run its Names (name-token groups with their folded keys and the known people in
them, see Name), people of a surname, fuzzy name matches. People already named in an article
are indexed by surname and by initial. Runs are found on a byte "shape" of the text
(capital_runs), which the regex engine scans much faster than the text itself.
tests/logic/test_tagging_golden.py guards that none of it changes the output,
tests/logic/test_tagging_speedups.py checks the fast paths against plain versions, and
tools/bench_tagging.py measures it.
"""
from .tagger import tag, tag_text

__all__ = ["tag", "tag_text"]
