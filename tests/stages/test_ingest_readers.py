import io
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.ids import article_id
from parley.ingest.readers import (
    Article,
    InputError,
    build_article,
    read_bytes,
    read_paths,
    read_stream,
    utc_now_iso,
)
from parley.schemas import validator

validate_raw = validator("articles.raw")

BODY = "The foreign ministers of two neighbouring states met at a lakeside resort on Monday."


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def jsonl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def articles(results) -> list[Article]:
    return [r for r in results if isinstance(r, Article)]


def errors(results) -> list[InputError]:
    return [r for r in results if isinstance(r, InputError)]


def only_error(results) -> InputError:
    found = errors(results)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- formats


def test_txt_file_is_the_whole_text_without_metadata(tmp_path):
    path = write(tmp_path, "talks.txt", f"Headline line\n\n{BODY}\n")
    [article] = list(read_paths([path]))
    assert article.text == f"Headline line\n\n{BODY}\n"
    assert (article.title, article.url, article.html, article.published_at) == (None,) * 4
    assert article.file == "talks.txt"
    assert article.article_id == article_id(None, article.text)


def test_txt_file_drops_a_utf8_byte_order_mark(tmp_path):
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + BODY.encode())
    [article] = list(read_paths([path]))
    assert article.text == BODY


def test_html_file_is_the_whole_page_as_html(tmp_path):
    page = f"<!doctype html><html><body><p>{BODY}</p></body></html>"
    path = write(tmp_path, "page.HTM", page)
    [article] = list(read_paths([path]))
    assert article.html == page and article.text is None
    assert validate_raw(article.to_message()) == []


def test_html_in_a_declared_legacy_charset_is_decoded(tmp_path):
    page = '<html><head><meta charset="iso-8859-1"></head><body>Caf\xe9 talks</body></html>'
    path = write(tmp_path, "legacy.html", page.encode("latin-1"))
    [article] = list(read_paths([path]))
    assert "Café talks" in article.html


def test_json_object_with_all_fields(tmp_path):
    record = {
        "url": "https://News.example.org/talks/?utm_source=x",
        "title": "Ministers meet",
        "text": BODY,
        "published_at": "2024-03-05",
        "source": {"name": "Example News", "url": "https://news.example.org"},
        "ignored": "extra fields are ignored",
    }
    path = write(tmp_path, "one.json", json.dumps(record))
    [article] = list(read_paths([path]))
    message = article.to_message()
    assert validate_raw(message) == []
    assert message["source"] == {"file": "one.json", "url": record["url"], "name": "Example News"}
    assert message["article_id"] == article_id("https://news.example.org/talks", None)
    assert message["title"] == "Ministers meet" and message["published_at"] == "2024-03-05"


def test_json_array_of_objects(tmp_path):
    records = [{"text": f"{BODY} Part {i}.", "source": "Wire"} for i in range(3)]
    path = write(tmp_path, "many.json", json.dumps(records))
    found = articles(read_paths([path]))
    assert [a.text for a in found] == [r["text"] for r in records]
    assert {a.source_name for a in found} == {"Wire"}


def test_jsonl_one_object_per_line_skipping_blank_lines(tmp_path):
    path = write(tmp_path, "batch.jsonl", jsonl({"text": "First body."}, "", {"html": "<p>Second</p>"}))
    found = list(read_paths([path]))
    assert [type(r) for r in found] == [Article, Article]
    assert found[1].html == "<p>Second</p>"


def test_source_url_is_used_when_the_article_has_none_but_not_for_the_id():
    article = build_article({"text": BODY, "source": {"name": "Wire", "url": "https://wire.example"}})
    assert article.url == "https://wire.example"
    assert article.article_id == article_id(None, BODY)


def test_folders_are_read_recursively_in_sorted_order_skipping_corpus_side_files(tmp_path):
    write(tmp_path, "b/2.txt", "Second body.")
    write(tmp_path, "a/1.txt", "First body.")
    write(tmp_path, "a/0.jsonl", jsonl({"text": "Zeroth body."}))
    write(tmp_path, "a/gold.jsonl", jsonl({"doc": "1.txt", "meetings": []}))
    write(tmp_path, "SOURCES.md", "# sources")
    write(tmp_path, ".hidden/3.txt", "Hidden body.")
    found = list(read_paths([tmp_path]))
    assert [r.text for r in found] == ["Zeroth body.", "First body.", "Second body."]


def test_to_message_stamps_ingested_at_in_utc_with_microseconds():
    message = build_article({"text": BODY}).to_message()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", message["ingested_at"])
    assert build_article({"text": BODY}).to_message("2026-01-01T00:00:00.000000Z")[
        "ingested_at"] == "2026-01-01T00:00:00.000000Z"
    assert re.fullmatch(r".*\.\d{6}Z", utc_now_iso())


@pytest.mark.parametrize(
    ("given_date", "normalised"),
    [
        ("2024-03-05", "2024-03-05"),
        ("20240305", "2024-03-05"),
        (" 2024-03-05 ", "2024-03-05"),
        ("2024-03-05 10:30", "2024-03-05T10:30:00"),
        ("2024-03-05T10:30:00Z", "2024-03-05T10:30:00Z"),
        ("2024-03-05T10:30:00+00:00", "2024-03-05T10:30:00Z"),
        ("2024-03-05T10:30:00.250+05:30", "2024-03-05T10:30:00.250000+05:30"),
        ("", None),
        (None, None),
    ],
)
def test_published_at_is_normalised_and_keeps_its_offset(given_date, normalised):
    article = build_article({"text": BODY, "published_at": given_date})
    assert article.published_at == normalised
    assert validate_raw(article.to_message()) == []


# ---------------------------------------------------------------- errors name file and line


def test_jsonl_errors_name_file_and_line_and_the_batch_goes_on(tmp_path):
    lines = jsonl(
        {"text": "Good one."},                                   # 1
        "{not json",                                             # 2
        {"text": 42},                                            # 3
        "[1, 2]",                                                # 4
        {"title": "no body"},                                    # 5
        {"text": "   "},                                         # 6
        {"text": "Dated.", "published_at": "March 5, 2024"},     # 7
        {"text": "Linked.", "url": "not a url"},                 # 8
        {"text": "Sourced.", "source": 7},                       # 9
        {"text": "Good two."},                                   # 10
    )
    path = write(tmp_path, "dev/batch.jsonl", lines)
    found = list(read_paths([path]))
    assert [a.text for a in articles(found)] == ["Good one.", "Good two."]
    by_line = {e.line: e for e in errors(found)}
    assert {line: e.reason for line, e in by_line.items()} == {
        2: "invalid_json", 3: "wrong_type", 4: "not_an_object", 5: "missing_body",
        6: "empty_text", 7: "bad_published_at", 8: "bad_url", 9: "wrong_type",
    }
    for line, error in by_line.items():
        assert error.file == str(path)
        assert error.message.startswith(f"{path} line {line}: ")
        assert error.message.endswith("fix or remove that line")
    assert "field 'text' must be a string, got number" in by_line[3].message


def test_invalid_utf8_in_one_jsonl_line_spares_the_others(tmp_path):
    path = write(tmp_path, "mixed.jsonl",
                 b'{"text": "Fine."}\n{"text": "bad \xff byte"}\n{"text": "Also fine."}\n')
    found = list(read_paths([path]))
    assert [a.text for a in articles(found)] == ["Fine.", "Also fine."]
    error = only_error(found)
    assert (error.line, error.reason) == (2, "not_utf8")
    assert "UTF-8" in error.message


def test_invalid_utf8_txt_file_says_where(tmp_path):
    path = write(tmp_path, "bad.txt", b"line one\nline \xc3\x28 two\n")
    error = only_error(read_paths([path]))
    assert error.reason == "not_utf8"
    assert error.message.startswith(f"{path}: ") and "line 2" in error.message


def test_json_array_errors_give_the_item_index(tmp_path):
    path = write(tmp_path, "items.json", json.dumps([{"text": "Fine."}, {"text": ["a"]}, "x"]))
    found = list(read_paths([path]))
    assert len(articles(found)) == 1
    assert [(e.line, e.reason) for e in errors(found)] == [(1, "wrong_type"), (2, "not_an_object")]
    assert errors(found)[0].message.startswith(f"{path} item 1: ")
    assert "got array" in errors(found)[0].message


def test_invalid_json_file(tmp_path):
    path = write(tmp_path, "broken.json", '{"text": "unterminated')
    error = only_error(read_paths([path]))
    assert (error.line, error.reason) == (None, "invalid_json")
    assert error.message.startswith(f"{path}: not valid JSON")


def test_empty_json_array_is_reported(tmp_path):
    assert only_error(read_paths([write(tmp_path, "none.json", "[]")])).reason == "empty_array"


def test_empty_txt_file_is_reported(tmp_path):
    assert only_error(read_paths([write(tmp_path, "empty.txt", " \n\n ")])).reason == "empty_text"


def test_text_over_the_limit_is_reported(tmp_path):
    path = write(tmp_path, "long.jsonl", jsonl({"text": "x" * 101}, {"text": "x" * 100}))
    found = list(read_paths([path], max_chars=100))
    assert len(articles(found)) == 1
    error = only_error(found)
    assert (error.line, error.reason) == (1, "too_long")
    assert "101 characters" in error.message and "limit of 100" in error.message


def test_huge_txt_file_is_refused_without_reading_it(tmp_path):
    path = write(tmp_path, "huge.txt", "y" * 500)
    assert only_error(read_paths([path], max_chars=100)).reason == "too_long"


def test_unknown_extension_named_explicitly_is_reported(tmp_path):
    path = write(tmp_path, "notes.docx", "whatever")
    error = only_error(read_paths([path]))
    assert error.reason == "unknown_extension" and ".docx" in error.message


def test_missing_file_is_reported_and_the_next_path_is_read(tmp_path):
    good = write(tmp_path, "good.txt", BODY)
    found = list(read_paths([tmp_path / "missing.txt", good]))
    assert only_error(found).reason == "not_found"
    assert len(articles(found)) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_reported(tmp_path):
    path = write(tmp_path, "secret.txt", BODY)
    path.chmod(0)
    assert only_error(read_paths([path])).reason == "unreadable"


def test_unreadable_path_is_reported(tmp_path):
    # A symlink to itself cannot be opened, even by root.
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    assert only_error(read_paths([loop])).reason == "unreadable"


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"text": BODY, "title": 1}, "title"),
        ({"text": BODY, "url": True}, "url"),
        ({"html": {"p": 1}}, "html"),
        ({"text": BODY, "published_at": 20240305}, "published_at"),
        ({"text": BODY, "source": {"name": 3}}, "source.name"),
        ({"text": BODY, "source": ["Wire"]}, "source"),
    ],
)
def test_wrong_types_name_the_field(record, field):
    [error] = list(read_bytes(json.dumps(record).encode(), name="req", fmt="json"))
    assert error.reason == "wrong_type"
    assert f"field '{field}'" in error.message


def test_nul_characters_are_removed():
    article = build_article({"text": "Talks\x00 resumed.", "title": "T\x00"})
    assert article.text == "Talks resumed." and article.title == "T"


# ---------------------------------------------------------------- streams and bytes


def test_stream_auto_detects_jsonl_and_streams_line_numbers():
    data = b"\n" + jsonl({"text": "One."}, {"text": 5}).encode()
    found = list(read_stream(io.BytesIO(data)))
    assert articles(found)[0].text == "One." and articles(found)[0].file is None
    error = only_error(found)
    assert (error.file, error.line) == ("<stdin>", 3)


def test_stream_auto_detects_a_pretty_printed_object_an_array_and_text():
    pretty = json.dumps({"text": "Pretty."}, indent=2).encode()
    assert [a.text for a in read_stream(io.BytesIO(pretty))] == ["Pretty."]
    array = json.dumps([{"text": "A."}, {"text": "B."}], indent=1).encode()
    assert [a.text for a in read_stream(io.BytesIO(array))] == ["A.", "B."]
    assert [a.text for a in read_stream(io.BytesIO(b"Plain words."))] == ["Plain words."]


def test_stream_with_forced_txt_format_keeps_json_looking_text():
    [article] = list(read_stream(io.BytesIO(b'{"text": "x"}'), fmt="txt"))
    assert article.text == '{"text": "x"}'


def test_bytes_with_a_file_name_fill_source_file():
    [article] = list(read_bytes(BODY.encode(), name="upload 3", fmt="txt", file_name="up.txt"))
    assert article.to_message()["source"]["file"] == "up.txt"


def test_unknown_format_name_is_a_programming_error():
    with pytest.raises(ValueError):
        list(read_bytes(b"", fmt="xml"))


def test_same_text_in_different_files_gets_the_same_id(tmp_path):
    one = write(tmp_path, "one.txt", "Leaders  met.\n")
    two = write(tmp_path, "two.json", json.dumps({"text": "leaders met."}))
    first, second = read_paths([one, two])
    assert first.article_id == second.article_id


# ---------------------------------------------------------------- fuzz


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000), fmt=st.sampled_from(["auto", "json", "jsonl", "txt", "html"]))
def test_arbitrary_bytes_never_raise_and_articles_are_schema_valid(data, fmt):
    for result in read_bytes(data, name="fuzz", fmt=fmt, max_chars=500):
        assert isinstance(result, (Article, InputError))
        if isinstance(result, Article):
            assert validate_raw(result.to_message()) == []
        else:
            assert result.message.startswith("fuzz") and result.reason


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=6,
)
article_like = st.fixed_dictionaries(
    {},
    optional={
        "url": st.none() | st.text(max_size=40) | st.sampled_from(["https://ex.org/a?utm_x=1", "http://[::1"]),
        "title": st.none() | st.text(max_size=20) | st.integers(),
        "text": st.none() | st.text(max_size=60) | json_values,
        "html": st.none() | st.text(max_size=60),
        "published_at": st.none() | st.text(max_size=30) | st.dates().map(str)
        | st.datetimes().map(lambda d: d.isoformat()) | json_values,
        "source": st.none() | st.text(max_size=10) | st.fixed_dictionaries(
            {}, optional={"name": json_values, "url": json_values}) | json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(article_like | json_values, max_size=4))
def test_arbitrary_records_never_raise_and_articles_are_schema_valid(records):
    data = "\n".join(json.dumps(r) for r in records).encode()
    results = list(read_bytes(data, name="fuzz.jsonl", fmt="jsonl"))
    assert len(results) == len(records)
    for result in results:
        if isinstance(result, Article):
            assert validate_raw(result.to_message()) == [], result


@pytest.mark.parametrize(
    "not_a_date", ["March 5, 2024", "2024-13-01", "2024-02-30", "2024-W10-2", "2024-03-05T10",
                   "05/03/2024", "2024-03-05T10:30:00+05:30:15", "yesterday"]
)
def test_published_at_that_is_not_an_iso_date_is_refused(not_a_date):
    [error] = list(read_bytes(json.dumps({"text": BODY, "published_at": not_a_date}).encode(),
                              name="x.json", fmt="json"))
    assert error.reason == "bad_published_at"
    assert "ISO date" in error.message


def test_refused_records_carry_their_raw_bytes_for_the_dead_letter_topic(tmp_path):
    line = b'{"text": 42, "note": "caf\xc3\xa9"}'
    jsonl_path = write(tmp_path, "a.jsonl", b'{"text": "Fine."}\n' + line + b"\r\n")
    assert only_error(read_paths([jsonl_path])).raw == line
    json_path = write(tmp_path, "b.json", json.dumps([{"text": "Fine."}, {"title": "none"}]))
    assert json.loads(only_error(read_paths([json_path])).raw) == {"title": "none"}
    txt_path = write(tmp_path, "c.txt", b"bad \xff")
    assert only_error(read_paths([txt_path])).raw == b"bad \xff"
    assert only_error(read_paths([tmp_path / "missing.txt"])).raw is None


def test_a_missing_path_is_not_found_whatever_its_extension(tmp_path):
    assert only_error(read_paths([tmp_path / "gone.docx"])).reason == "not_found"


def test_dash_reads_standard_input(monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(jsonl({"text": "From a pipe."}).encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    [article] = list(read_paths(["-"]))
    assert article.text == "From a pipe."


def test_exclude_patterns_can_be_replaced(tmp_path):
    write(tmp_path, "gold.jsonl", jsonl({"text": "Read when asked."}))
    assert list(read_paths([tmp_path])) == []
    assert [a.text for a in read_paths([tmp_path], exclude=())] == ["Read when asked."]
