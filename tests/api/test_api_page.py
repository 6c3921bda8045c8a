"""The analyst page in a real headless Chromium (Debian's chromium, driven by Selenium through
/usr/bin/chromedriver), served by a `parley worker api` process on the embedded broker: the
stored stories are listed, a story produced on events.stories appears within seconds, a
filter hides it, its timeline opens with each report's evidence highlighted, and a report opens
its article's cleaned text (GET /articles/{id}) with the evidence marked and scrolled into view;
an article stored without its text keeps the sentence alone and says so.

The screenshot goes to the test's folder; with PARLEY_SCREENSHOT=docs/analyst-page.png it is
also written there (the README's picture)."""
from __future__ import annotations

import asyncio
import os
import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from support.api_helpers import WITHOUT_TEXT, fill, produce, receipt, store, story_messages
from support.harness import settings_for
from support.stories_helpers import event
from parley.broker import free_port
from parley.commands.workers import Workers
from parley.topics import create_topics_sync

pytestmark = pytest.mark.broker

WASHINGTON = dict(people=("Hakan Fidan", "Marco Rubio"), countries=["TUR", "USA"], place="Washington",
                  place_country="USA", date="2025-03-18")


# The cleaned texts of the two articles (paragraphs joined by a blank line); "{evidence}" is where
# the report's evidence sentence stands. The quoted post before it is in the "bold" letters social
# media users paste (Mathematical Sans-Serif Bold): each counts one code point in the API's
# offsets and two UTF-16 units in the browser.
ARTICLES = (
    "ANKARA (Anadolu) - Türkiye and the United States will hold high-level talks in Washington next "
    "week, as both sides seek to settle their differences over Syria and the F-35 fighter jet programme.\n\n"
    "\"𝗣𝗿𝗼𝗱𝘂𝗰𝘁𝗶𝘃𝗲 𝘁𝗮𝗹𝗸𝘀 𝗮𝗵𝗲𝗮𝗱\", the ministry's spokesman wrote on social media on Monday evening.\n\n"
    "{evidence}\n\n"
    "The visit will be Fidan's first to Washington since the new administration took office in January. "
    "Officials expect the two ministers to discuss the situation in Syria, the war in Ukraine and trade.\n\n"
    "Ankara was removed from the F-35 programme in 2019 after it bought Russian S-400 air defence systems. "
    "Turkish officials have said they hope to return to the programme.\n\n"
    "A date for a meeting between the two countries' presidents has not been set.",
    "WASHINGTON (Reuters) - {evidence}\n\n"
    "Neither side gave details of the talks, which lasted about two hours, but a State Department "
    "spokesperson said the ministers agreed to keep in close contact.\n\n"
    "Fidan is due to meet members of Congress on Wednesday.",
)


def fresh_story() -> tuple[list[dict], list[dict], list[str]]:
    """A planned meeting, then reported held: (events, events.stories messages, article texts)."""
    planned = [
        event("fidan-rubio-plan", status="planned", published="2025-03-10", outlet="Anadolu", confidence=0.82,
              evidence="Foreign Minister Hakan Fidan will travel to Washington next week to meet "
                       "Secretary of State Marco Rubio, the ministry said.", **WASHINGTON),
        event("fidan-rubio-held", status="occurred", published="2025-03-18T16:40:00Z", outlet="Reuters",
              evidence="Hakan Fidan and Marco Rubio met in Washington on Tuesday to discuss Syria and "
                       "the F-35 programme.", **WASHINGTON),
    ]
    texts = []
    for e, article in zip(planned, ARTICLES):  # where the sentence is in the cleaned article
        start = article.index("{evidence}")
        e["evidence"].update(start=start, end=start + len(e["evidence"]["text"]))
        texts.append(article.replace("{evidence}", e["evidence"]["text"]))
        assert texts[-1][e["evidence"]["start"]:e["evidence"]["end"]] == e["evidence"]["text"]
    return planned, story_messages(planned), texts


TITLES = ("Fidan to visit Washington for talks with Rubio", "Fidan and Rubio discuss Syria, F-35 in Washington")


def wait_for(condition, timeout: float, what: str):
    """`condition()`'s first true value; an element the page drew again meanwhile (a story's
    card is replaced when a newer version of it arrives) counts as not yet."""
    from selenium.common.exceptions import StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except StaleElementReferenceException:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.1)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def browser(chromium, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1000", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(argument)
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()


def test_a_new_story_appears_live_a_filter_hides_it_and_its_evidence_opens_highlighted(
        broker, topic_prefix, tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    settings = settings_for(broker, topic_prefix, tmp_path, api_port=free_port(), api_host="127.0.0.1")
    create_topics_sync(settings)
    fill(None, settings.sqlite_path)  # what the sink stored before
    workers = Workers(settings.with_(data_dir=str(tmp_path)), tmp_path)
    workers.start(["api"])
    url = f"http://127.0.0.1:{settings.api_port}"
    try:
        wait_for(lambda: workers.check() or healthy(url), 60, "the api worker")
        browser.get(url + "/")
        wait_for(lambda: browser.find_element(By.ID, "live").get_attribute("class") == "live", 30, "the stream")
        cards = lambda: browser.find_elements(By.CSS_SELECTOR, "#feed article.story")  # noqa: E731
        wait_for(lambda: len(cards()) == 5, 15, "the stored stories")

        events, messages, texts = fresh_story()
        story_id = messages[-1]["story_id"]
        selector = f'#feed article.story[data-story-id="{story_id}"]'
        started = time.monotonic()
        asyncio.run(produce(settings, messages))
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, selector), 10, "the new story")
        # the card is drawn anew for each version of the story: find it again until the second is in
        wait_for(lambda: "occurred" in browser.find_element(By.CSS_SELECTOR, selector).find_element(
            By.CSS_SELECTOR, ".badge").text.lower(), 10, "its second report")
        card = browser.find_element(By.CSS_SELECTOR, selector)
        appeared = time.monotonic() - started
        assert cards()[0].get_attribute("data-story-id") == story_id  # newest first
        assert "TUR · USA" in card.text and "Hakan Fidan" in card.text and "2 reports" in card.text
        # the sink stores it a moment later (so the page can show the articles' titles)
        by_article = [receipt([e], title, text) for e, title, text in zip(events, TITLES, texts)]
        store(None, settings.sqlite_path, events=events, articles=by_article, stories=messages)

        country = browser.find_element(By.ID, "f-country")
        country.send_keys("ARM")
        wait_for(lambda: not card.is_displayed(), 5, "the country filter to hide it")
        assert sum(c.is_displayed() for c in cards()) == 2  # the ARM-AZE stories
        country.clear()
        country.send_keys("tur")
        wait_for(lambda: card.is_displayed(), 5, "the country filter to show it")
        Select(browser.find_element(By.ID, "f-status")).select_by_visible_text("cancelled")
        wait_for(lambda: not card.is_displayed(), 5, "the status filter to hide it")
        browser.find_element(By.ID, "f-clear").click()
        browser.find_element(By.ID, "f-text").send_keys("F-35")
        wait_for(lambda: card.is_displayed() and sum(c.is_displayed() for c in cards()) == 1, 5,
                 "the evidence filter to keep it alone")
        browser.find_element(By.ID, "f-clear").click()
        wait_for(lambda: sum(c.is_displayed() for c in cards()) == 6, 5, "every story again")

        card.find_element(By.CSS_SELECTOR, ".head").click()
        # the timeline opens at once from the stream's story, then again with the stored articles
        wait_for(lambda: TITLES[1] in card.text, 10, "the article titles from the database")
        marks = wait_for(lambda: [m for m in card.find_elements(By.CSS_SELECTOR, "blockquote.evidence mark")
                                  if m.is_displayed()], 5, "the highlighted evidence")
        assert [m.text for m in marks] == [t["evidence"] for t in messages[-1]["timeline"]]
        assert marks[0].value_of_css_property("background-color") == "rgba(255, 229, 138, 1)"
        assert [b.text for b in marks[1].find_elements(By.TAG_NAME, "b")] == ["Hakan Fidan", "Marco Rubio",
                                                                              "Washington"]
        plan = events[0]["evidence"]
        assert f"characters {plan['start']}–{plan['end']} of the cleaned article" in card.text

        # a report opens its article's cleaned text, the evidence marked inside it and scrolled into view
        first = card.find_elements(By.CSS_SELECTOR, ".report")[0]
        assert first.get_attribute("data-event-id") == events[0]["event_id"]
        first.find_element(By.CSS_SELECTOR, "button.show-article").click()
        mark = wait_for(lambda: first.find_elements(By.CSS_SELECTOR, ".article-text mark.evidence-span"), 10,
                        "the article's text with its evidence marked")[0]
        article = first.find_element(By.CSS_SELECTOR, ".article-text")
        assert mark.get_attribute("textContent") == plan["text"] == events[0]["evidence"]["text"]
        assert mark.get_attribute("data-placed-by") == "offsets"  # code points read as UTF-16, not searched
        assert article.get_attribute("textContent") == texts[0]  # the whole cleaned text, as stored
        assert browser.execute_script("return arguments[0].parentElement === arguments[1]", mark, article)
        assert mark.value_of_css_property("background-color") == "rgba(255, 229, 138, 1)"
        seen = browser.execute_script(
            "const m = arguments[0].getBoundingClientRect(), b = arguments[1].getBoundingClientRect();"
            "return [arguments[1].scrollTop, m.top >= b.top && m.bottom <= b.bottom,"
            "        m.top >= 0 && m.bottom <= window.innerHeight];", mark, article)
        assert seen[0] > 0 and seen[1] and seen[2], seen  # the box scrolled to it; visible in the window

        # an article stored without its text (a receipt from before receipts carried it): the sentence alone
        ministers = next(c for c in cards() if "cancelled" in c.find_element(By.CSS_SELECTOR, ".badge").text.lower()
                         and "ARM · AZE" in c.text)
        ministers.find_element(By.CSS_SELECTOR, ".head").click()
        wait_for(lambda: f"Report {WITHOUT_TEXT}" in ministers.text, 10, "its article's title")
        report = wait_for(lambda: ministers.find_elements(By.CSS_SELECTOR, ".report"), 5, "its timeline")[0]
        report.find_element(By.CSS_SELECTOR, "button.show-article").click()
        missing = wait_for(lambda: report.find_elements(By.CSS_SELECTOR, ".article-missing"), 10, "the notice")[0]
        assert "text is not stored" in missing.text and not report.find_elements(By.CSS_SELECTOR, ".article-text")
        assert report.find_element(By.CSS_SELECTOR, "blockquote.evidence mark").text  # the sentence still shown
        ministers.find_element(By.CSS_SELECTOR, ".head").click()  # closed again for the screenshot

        browser.execute_script("window.scrollTo(0, 0); for (const c of document.querySelectorAll('.fresh')) "
                               "c.classList.remove('fresh');")
        assert browser.execute_script(  # the screenshot shows the opened article with its evidence
            "const m = arguments[0].getBoundingClientRect(); return m.top >= 0 && m.bottom <= window.innerHeight;",
            mark)
        shot = tmp_path / "analyst-page.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
        if os.environ.get("PARLEY_SCREENSHOT"):
            shutil.copyfile(shot, Path(os.environ["PARLEY_SCREENSHOT"]))
        print(f"the new story appeared on the page {appeared:.2f} s after it was produced")
        assert appeared < 10
    finally:
        workers.stop()
