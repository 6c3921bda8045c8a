"""Large, realistic news pages for benchmarks and tests (invented markup around real text).

Real news pages weigh 0.5-1 MB of HTML and most of it is not the article: inline JSON
state (`__NEXT_DATA__`, `window.__PRELOADED_STATE__`, which often repeat the article's
paragraphs), analytics and ad scripts, inline CSS, SVG icon sprites and inline icons,
comments, mega-menus, cookie banners, `<noscript>` pixels, and long grids of related
articles whose every element carries `data-*` attributes.

    from parley.bench.pages import build_page
    html = build_page(title, paragraphs, target_bytes=900_000, seed=1)

`build_page` puts the article (headline, byline, `<time>`, a figure with a caption, the
paragraphs with ad slots and "read more" asides between them) in the middle of such a page
and fills it up to `target_bytes` (UTF-8) with that furniture, in roughly the proportions of
real pages: about 45 % script, 12 % style, 8 % SVG, the rest markup, links and comments.
The same arguments give the same page, byte for byte.
"""
from __future__ import annotations

import html as _html
import json
import random
from pathlib import Path

from .workload import DATA

_WORDS = (
    "minister summit talks trade border election council budget energy climate market "
    "policy security court union reform vote crisis deal alliance capital report health "
    "sport culture science travel money opinion video live weather world business"
).split()
_SECTIONS = ("World", "Europe", "Americas", "Asia", "Africa", "Middle East", "Politics", "Business",
             "Technology", "Science", "Climate", "Health", "Sport", "Culture", "Opinion", "Travel")


def headlines(seed: int = 0) -> list[str]:
    """First lines of the shipped sample and benchmark texts (real headlines, for teasers)."""
    found = []
    for folder in (DATA / "samples", DATA / "bench"):
        for path in sorted(Path(folder).glob("*.txt")):
            first = path.read_text(encoding="utf-8").strip().splitlines()[0].strip()
            if 10 < len(first) < 160:
                found.append(first)
    random.Random(seed).shuffle(found)
    return found or ["Ministers meet to discuss trade"]


def _token(rng: random.Random, n: int = 6) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def _slug(text: str) -> str:
    return "-".join("".join(c for c in w.lower() if c.isalnum()) for w in text.split()[:8])


def _css(rng: random.Random, size: int) -> str:
    out, n = [], 0
    props = ("display:flex", "margin:0 auto", "padding:4px 8px", "color:#121212", "font-size:1.0625rem",
             "line-height:1.4", "background-color:#f6f6f6", "border-bottom:1px solid #dcdcdc",
             "grid-template-columns:repeat(4,minmax(0,1fr))", "font-family:GuardianTextEgyptian,Georgia,serif",
             "transition:opacity .2s ease-in-out", "position:relative", "max-width:1300px", "z-index:2")
    while n < size:
        rule = f".css-{_token(rng)}{{{';'.join(rng.sample(props, 4))}}}"
        if rng.random() < 0.08:
            rule = f"@media (min-width:{rng.choice((480, 740, 980, 1140, 1300))}px){{{rule}}}"
        out.append(rule)
        n += len(rule)
    return "".join(out)


def _svg_path(rng: random.Random, points: int) -> str:
    return "M" + " ".join(f"{rng.uniform(0, 30):.3f} {rng.uniform(0, 30):.3f}" + rng.choice(("L", "C", "l", "c", "Q"))
                          for _ in range(points)) + "Z"


def _sprite(rng: random.Random, size: int) -> str:
    out, n = ['<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">'], 0
    while n < size:
        sym = (f'<symbol id="icon-{_token(rng, 5)}" viewBox="0 0 30 30"><path fill-rule="evenodd" '
               f'd="{_svg_path(rng, rng.randint(20, 60))}"></path></symbol>')
        out.append(sym)
        n += len(sym)
    out.append("</svg>")
    return "".join(out)


def _icon(rng: random.Random, name: str) -> str:
    return (f'<svg class="icon icon--{name}" width="24" height="24" viewBox="0 0 30 30" aria-hidden="true" '
            f'focusable="false"><path d="{_svg_path(rng, 18)}"></path></svg>')


def _state_blob(rng: random.Random, title: str, paragraphs: list[str], heads: list[str], size: int) -> str:
    """The JSON a client-side framework hydrates from: the article again, plus everything."""
    state = {"page": {"id": _token(rng, 24), "type": "article", "headline": title,
                      "body": [{"type": "paragraph", "html": f"<p>{_html.escape(p)}</p>"} for p in paragraphs]},
             "config": {"abTests": {f"test{i}": rng.choice(("control", "variant")) for i in range(40)},
                        "switches": {f"switch-{_token(rng, 8)}": rng.random() < 0.5 for i in range(200)}},
             "cards": []}
    n = len(json.dumps(state))
    while n < size:
        head = rng.choice(heads)
        card = {"id": _token(rng, 24), "headline": head, "trail": " ".join(rng.choices(_WORDS, k=25)),
                "url": f"/world/2026/nov/{rng.randint(1, 30):02d}/{_slug(head)}",
                "image": {"src": f"https://i.example-news.com/img/media/{_token(rng, 40)}/0_0_3500_2100/master/3500.jpg",
                          "alt": head, "width": 3500, "height": 2100,
                          "srcset": [f"https://i.example-news.com/img/{_token(rng, 40)}?width={w}&quality=85&s={_token(rng, 32)}"
                                     for w in (140, 300, 460, 620, 700, 1020)]},
                "tracking": {"component": rng.choice(("related", "most-viewed", "onward")), "position": len(state["cards"])}}
        state["cards"].append(card)
        n += len(json.dumps(card)) + 1
    return json.dumps(state, ensure_ascii=False).replace("</", "<\\/")


def _analytics(rng: random.Random, size: int) -> str:
    out, n = ["(function(w,d){'use strict';var q=w.__q=w.__q||[];"], 0
    while n < size:
        line = (f"w['{_token(rng, 4)}']=function(a,b){{if(!a||b<{rng.randint(0, 99)})return null;"
                f"var c=d.createElement('div');c.setAttribute('data-k','{_token(rng, 10)}');"
                f"return q.push([a,b,Date.now()])&&c}};")
        out.append(line)
        n += len(line)
    out.append("})(window,document);")
    return "".join(out)


def _card(rng: random.Random, head: str, section: str) -> str:
    url = f"https://www.example-news.com/{section.lower().replace(' ', '-')}/2026/nov/{rng.randint(1, 30):02d}/{_slug(head)}"
    srcset = ", ".join(f"https://i.example-news.com/img/{_token(rng, 40)}?width={w}&amp;dpr=2&amp;s=none {w}w"
                       for w in (140, 300, 460, 620))
    return (f'<li class="fc-item fc-item--standard-mobile" data-link-name="{section.lower()} | card-{rng.randint(1, 99)}" '
            f'data-id="{_token(rng, 24)}" data-component="onward-container" data-test-id="card-{_token(rng, 6)}">'
            f'<div class="fc-item__container"><div class="fc-item__media-wrapper"><picture>'
            f'<source media="(min-width: 740px)" srcset="{srcset}"><img class="responsive-img" alt="" loading="lazy" '
            f'src="https://i.example-news.com/img/{_token(rng, 40)}?width=300"></picture></div>'
            f'<div class="fc-item__content"><h3 class="fc-item__title"><a href="{url}" class="fc-item__link" '
            f'data-link-name="article"><span class="fc-item__kicker">{_html.escape(section)}</span> '
            f'<span class="js-headline-text">{_html.escape(head)}</span></a></h3>'
            f'<div class="fc-item__meta"><time class="fc-timestamp" datetime="2026-11-{rng.randint(1, 28):02d}T10:00:00+0000">'
            f'{rng.randint(1, 23)}h ago</time>{_icon(rng, "comment")}<span>{rng.randint(0, 2000)}</span></div></div>'
            f'</div></li>')


def _nav(rng: random.Random, heads: list[str]) -> str:
    items = []
    for section in _SECTIONS:
        subs = "".join(f'<li class="menu-item"><a class="menu-item__title" href="https://www.example-news.com/{_slug(w)}" '
                       f'data-link-name="nav3 : secondary : {w}" role="menuitem">{w.title()}</a></li>'
                       for w in rng.sample(_WORDS, 12))
        items.append(f'<li class="menu-group"><button class="menu-group__title" aria-expanded="false" '
                     f'data-link-name="nav3 : primary : {section}">{section}{_icon(rng, "chevron")}</button>'
                     f'<ul class="menu-group__list" role="menu">{subs}</ul></li>')
    return (f'<header class="site-header" data-component="header"><a class="skip" href="#maincontent">Skip to main content</a>'
            f'<nav class="navigation" aria-label="Primary"><ul class="pillars">{"".join(items)}</ul></nav>'
            f'<div class="edition-picker"><button>UK edition</button><button>US edition</button><button>International edition</button></div>'
            f'<form class="search" action="/search"><label for="q">Search</label><input id="q" name="q"><button>{_icon(rng, "search")}</button></form>'
            f'</header>')


def build_page(title: str, paragraphs: list[str], *, target_bytes: int = 900_000, seed: int = 0,
               published: str | None = "2026-11-30T08:15:00Z", caption: str | None = None) -> str:
    """A news page of about `target_bytes` UTF-8 bytes around the article (see the module doc).

    With `published=None` the page states its date nowhere a machine reads first (no
    `article:published_time`, no JSON-LD date, no date in its URL or on its `<time>`): the
    article only says "Published 3 hours ago", as many pages do; the teaser cards keep theirs.
    """
    rng = random.Random(seed)
    heads = headlines(seed)
    esc_title = _html.escape(title)
    caption = caption or "Delegations arrive for the talks in the capital. Photograph: Staff photographer"
    # The fixed part: head, article, header, footer; the fillers share what remains.
    dates = {"datePublished": published, "dateModified": published} if published else {}
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, **dates,
                     "author": [{"@type": "Person", "name": "Staff reporter"}],
                     "publisher": {"@type": "Organization", "name": "Example News"}})
    url = f"https://www.example-news.com/world/{'2026/nov/30/' if published else ''}{_slug(title)}"
    metas = "".join(f'<meta property="{p}" content="{v}">' for p, v in (
        ("og:title", esc_title), ("og:type", "article"), ("og:site_name", "Example News"),
        ("article:published_time", published), ("article:section", "World news"),
        ("og:url", url), ("twitter:card", "summary_large_image"), ("twitter:site", "@examplenews"))
        if v is not None)
    stamp = (f'<time class="content__dateline" datetime="{published}">Mon 30 Nov 2026 08.15 GMT</time>' if published
             else '<span class="content__dateline">Published 3 hours ago</span>')
    body_parts = []
    for i, para in enumerate(paragraphs):
        body_parts.append(f'<p class="dcr-{_token(rng, 6)}">{_html.escape(para)}</p>')
        if i % 3 == 2:
            body_parts.append(f'<!-- ad slot inline{i} --><div class="ad-slot ad-slot--inline" id="dfp-ad--inline{i}" '
                              f'data-link-name="ad slot inline{i}" data-name="inline{i}" aria-hidden="true">'
                              f'<div class="ad-slot__label">Advertisement</div></div>')
        if i == 4:
            head = rng.choice(heads)
            body_parts.append(f'<aside class="rich-link" data-component="rich-link"><a href="/world/{_slug(head)}" '
                              f'data-link-name="in body link">Read more: {_html.escape(head)}</a></aside>')
    share = "".join(f'<a class="share__link" href="https://www.{net}.com/share?u=x" data-link-name="social : {net}">'
                    f'{_icon(rng, net)}<span class="u-h">Share on {net.title()}</span></a>'
                    for net in ("facebook", "x", "linkedin", "whatsapp", "email"))
    article = (
        f'<main id="maincontent"><article class="article" data-component="article">'
        f'<div class="content__labels"><a href="/world/europe-news" data-link-name="article section">Europe</a></div>'
        f'<h1 class="content__headline" itemprop="headline">{esc_title}</h1>'
        f'<div class="meta"><address class="byline">By <a rel="author" href="/profile/staff">Staff reporter</a></address>'
        f'{stamp}'
        f'<div class="share">{share}</div></div>'
        f'<figure class="element-image" data-component="image"><picture><img alt="{esc_title}" '
        f'src="https://i.example-news.com/img/{_token(rng, 40)}?width=620"></picture>'
        f'<figcaption>{_html.escape(caption)}</figcaption></figure>'
        f'<div class="article-body" itemprop="articleBody">{"".join(body_parts)}</div>'
        f'<div class="submeta"><a href="/world/europe-news" data-link-name="keyword: europe">Europe</a></div>'
        f'</article></main>')
    cookie = ('<div class="cmp-banner" role="dialog" aria-label="Cookies"><p>We use cookies to improve your experience '
              'on our site and to show you personalised advertising.</p><button>Yes, I accept</button>'
              '<button>Manage my cookies</button></div>')
    noscript = ('<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-XXXX" height="0" width="0" '
                'style="display:none;visibility:hidden"></iframe><img src="https://sb.example.com/p?js=0" alt=""></noscript>')
    template = ('<template id="tmpl-share-modal"><div class="modal"><button class="modal__close">'
                f'{_icon(rng, "close")}</button><div class="modal__body"></div></div></template>')
    footer_links = "".join(f'<li><a href="https://www.example-news.com/{_slug(w)}" data-link-name="footer : {w}">{w.title()}</a></li>'
                           for w in _WORDS)
    footer = (f'<footer class="site-footer" data-component="footer"><ul class="colophon">{footer_links}</ul>'
              f'<p class="copyright">© 2026 Example News Media Limited or its affiliated companies. All rights reserved.</p></footer>')
    fixed = len(ld) + len(metas) + len(article) + len(cookie) + len(noscript) + len(footer) + len(template) + 2_000
    nav = _nav(rng, heads)
    room = max(0, target_bytes - fixed - len(nav))
    # Shares of the remaining room, after what real pages of 0.5-1 MB carry.
    state = _state_blob(rng, title, paragraphs, heads, int(room * 0.36))
    analytics = _analytics(rng, int(room * 0.10))
    css = _css(rng, int(room * 0.12))
    sprite = _sprite(rng, int(room * 0.08))
    cards, n, card_room = [], 0, int(room * 0.28)
    while n < card_room:
        card = _card(rng, rng.choice(heads), rng.choice(_SECTIONS))
        cards.append(card)
        n += len(card)
    per_grid = max(1, len(cards) // 4)
    grids = "".join(
        f'<!-- container: {name} --><section class="fc-container" data-link-name="container | {name}" '
        f'data-component="{name}" id="{_slug(name)}"><h2 class="fc-container__title">{name}</h2>'
        f'<ul class="u-unstyled l-row">{"".join(cards[i * per_grid:(i + 1) * per_grid if i < 3 else None])}</ul></section>'
        for i, name in enumerate(("Related stories", "Most viewed", "More from World news", "Across the site")))
    comments, n = [], 0
    while n < int(room * 0.04):
        c = f"<!-- {_token(rng, 8)}: rendered by frontend-{_token(rng, 4)} in {rng.randint(1, 90)} ms; " \
            f"{' '.join(rng.choices(_WORDS, k=12))} -->"
        comments.append(c)
        n += len(c)
    half = len(comments) // 2
    page = (
        '<!DOCTYPE html><html lang="en" class="js-off"><head><meta charset="utf-8">'
        f'<title>{esc_title} | World news | Example News</title>'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'{metas}<link rel="canonical" href="{url}">'
        '<link rel="preload" href="/static/fonts/text-regular.woff2" as="font" crossorigin>'
        f'<script type="application/ld+json">{ld}</script>'
        f'<style>{css}</style>'
        f'<script>{analytics}</script>'
        f'{"".join(comments[:half])}'
        '</head><body>'
        f'{noscript}{sprite}{cookie}{nav}{article}{template}{grids}{footer}'
        f'{"".join(comments[half:])}'
        f'<script id="__NEXT_DATA__" type="application/json">{state}</script>'
        '<script src="/static/js/main.4f3a2b.js" async></script>'
        '</body></html>'
    )
    return page


def dev_article(path: Path) -> tuple[str, list[str]]:
    """(title, paragraphs) of a plain-text corpus article: first line, then blank-line blocks."""
    text = path.read_text(encoding="utf-8").strip()
    title, _, rest = text.partition("\n")
    paragraphs = [" ".join(block.split()) for block in rest.split("\n\n") if block.strip()]
    return title.strip(), paragraphs
