"""Meeting detector: tagged article -> meeting events (the `events.meetings` contract).

`detect(tagged)` reads the sentences of the title and the cleaned body, finds meeting
triggers (services/parley/data/detection/triggers.tsv), decides each trigger's status from the
cues of its clause (cues.tsv), collects the sides from the tagger's mentions in subject and
object position (resolving "he", "the two", "the co-chairs", "the Turkish foreign minister",
"the leaders of the three states" to participants named before), distributes coordinated
counterparts, places and "respectively" dates into separate meetings, resolves the date against
`published_at` (an undated report takes the one date of the sentence before it in the same
paragraph; a present-progressive one the publication day), and merges the reports of one meeting
(headline, lead, body, caption) into one event.

Speed: the trigger heads of a field are found once with str.find, dates and status cues are
matched only where their first words occur; everything else is per trigger.

Modules, each importing only from those listed before it:
  vocabulary  the data files: triggers, cues, lexicon
  grammar     sentences, clauses, parentheticals, quotes (no people, no countries)
  records     Party, Hit, Candidate, Context
  parties     mentions -> parties
  triggers    trigger finding
  status      status cues
  location    where a meeting takes place
  reference   references ("he", "the two", "we") and speakers
  when        which date expression belongs to a meeting
  sides       the clause's mentions -> the meeting's sides (one table or several)
  clause      one trigger's clause -> candidate meetings
  merge       the reports of one meeting -> one event
  confidence  evidence features -> calibrated probability
  event       the article walk (`detect`) and its output
"""
from parley.logic.detect.event import detect

__all__ = ["detect"]
