"""articles.raw -> articles.clean: keep the article body, split out or drop page furniture.

    from parley.logic.clean import clean
    cleaned = clean(raw)

Steps, in order (each general, none written for one outlet; module in brackets):
1. take the text (or extract it from HTML with trafilatura) [extract];
2. read and drop a YAML front-matter block (exported pages carry title and date there)
   [frontmatter];
3. render every line: markup stripped, entities decoded, NFKC, typographic quotes and
   exotic spaces made plain, spaces collapsed - keeping a map back to the raw offsets
   [textnorm, records];
4. classify lines: furniture zones ("Related articles", "Top stories"... to the end of the
   page), share/comment lines, teasers, captions, source credit, update stamps, date lines,
   metadata, rules; the first short stand-alone line without a final period is the title
   [furniture, with the phrase lists of boilerplate];
5. join the remaining lines into paragraphs (hard-wrapped blocks are re-flowed) [lines], strip
   a dateline / agency prefix off the first paragraph [dateline], drop repeated paragraphs;
6. emit paragraphs joined by a blank line, with `offset_map` segments into the raw text
   [message, which runs the steps].

`clean` never raises anything but `Rejected`.
"""

from .message import clean, raw_offset, raw_span

__all__ = ["clean", "raw_offset", "raw_span"]
