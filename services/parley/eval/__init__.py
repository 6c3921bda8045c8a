"""Evaluation against annotated corpora (GOLD_FORMAT.md): not used by the running services.

- corpus.py       loading a corpus folder (`*.txt` + `gold.jsonl`) as articles.raw messages
- score.py        THE scorer (meetings by the reference scorer's rules, tagging, cleaning)
- report.py       `parley eval CORPUS_DIR`: run the pipeline in-process, score, print
- calibration.py  refit the detector's confidence table (`parley eval --fit-calibration`)
"""
