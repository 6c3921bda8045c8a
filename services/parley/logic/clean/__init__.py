"""articles.raw -> articles.clean: keep the article body, split out or drop page furniture.

    from parley.logic.clean import clean
    cleaned = clean(raw)

Steps, in order (each general, none written for one outlet; module in brackets):
1. take the text (or extract it from HTML with trafilatura) [extract];
2. repair mojibake (UTF-8 read as Windows-1252) without changing the text's length
   [textnorm];
3. read and drop a YAML or JSON front-matter block (exported pages carry title and date
   there; a prose lead in it is kept) [frontmatter];
4. render every line: markup stripped, entities decoded, NFKC, typographic quotes and
   exotic spaces made plain, spaces collapsed - keeping a map back to the raw offsets
   [textnorm, records];
5. classify lines: furniture zones ("Related articles", "Top stories"... to the end of the
   page), share/comment lines, teasers, captions and photo credits, source credit, update
   stamps, date lines, metadata, embeds, promotions, rules; the first short stand-alone
   line without a final period is the title; menus above a repeat of it are navigation
   [furniture, with the phrase lists and shapes of boilerplate];
6. join the remaining lines into paragraphs (hard-wrapped blocks are re-flowed, indented
   wire paragraphs kept apart) [lines], strip a dateline / agency prefix off the first
   paragraph, also when a headline, byline or page menus run into it [dateline], remove
   furniture run into paragraphs and split glued sentences [inline], drop crossheads
   between paragraphs [furniture] and repeated paragraphs;
7. emit paragraphs joined by a blank line, with `offset_map` segments into the raw text
   [message, which runs the steps].

`clean` never raises anything but `Rejected`.
"""

from .message import clean, raw_offset, raw_span

__all__ = ["clean", "raw_offset", "raw_span"]
