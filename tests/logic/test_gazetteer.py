"""Gazetteer loading, extension by user data files, on-disk cache, normalisation, build helpers."""
from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

from parley.logic import gazetteer
from parley.logic.gazetteer import loader as load_mod
from parley.logic.gazetteer.normalise import fold, norm_text
from parley.logic.tag import tag

SHIPPED = gazetteer.DATA_DIR


def _load_builder():
    """tools/build_gazetteer.py (an offline tool, not part of the package)."""
    path = Path(__file__).resolve().parents[2] / "tools" / "build_gazetteer.py"
    spec = importlib.util.spec_from_file_location("build_gazetteer", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


build = _load_builder()


def clean_msg(text: str, date: str | None = "2020-05-05") -> dict:
    return {"schema_version": 1, "article_id": "a-0000000000000000",
            "source": {"file": None, "url": None, "name": None}, "published_at": date,
            "ingested_at": "2026-01-01T00:00:00.000000Z", "title": None, "text": text,
            "captions": [], "credit": None, "agency": None, "dateline": None,
            "updated": None, "dropped": [], "offset_map": []}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tiny_base(tmp_path):
    """A minimal data folder in the shipped format (used instead of the shipped one)."""
    base = tmp_path / "base"
    base.mkdir()
    write(base / "countries.tsv", "# code\tkind\tsurface\nARM\tname\tArmenia\nARM\tdemonym\tArmenian\nARM\tcapital\tYerevan\n")
    write(base / "roles.tsv", "foreign minister\tforeign minister\trole\t\n")
    write(base / "people_base.tsv", "p1\tAnna Testova\tAnya Testova\tforeign minister\tARM\t\t2010-01-01\t2015-12-31\n")
    return base


# ---------------------------------------------------------------- shipped data

def test_shipped_data_folder_has_data_and_licence_files():
    names = {p.name for p in SHIPPED.iterdir()}
    assert {"countries.tsv", "places.tsv.gz", "people_wikidata.tsv.gz", "people_countryinfo.tsv.gz",
            "orgs.tsv", "groups.tsv", "topics.tsv", "roles.tsv", "LICENCES.md", "ATTRIBUTION.md"} <= names
    total = sum(p.stat().st_size for p in SHIPPED.iterdir())
    assert total < 5_000_000


def test_load_is_cached_per_process():
    assert gazetteer.load() is gazetteer.load()


def test_shipped_gazetteer_knows_countries_people_places():
    gz = gazetteer.load()
    assert gz.countries["ARM"] == "Armenia"
    assert gz.capitals[fold("Yerevan")] == "ARM"
    assert any(p.country == "RUS" for p in gz.find_people("Sergey Lavrov"))
    assert len(gz.places) > 20000
    assert gz.group_members("MINSK_COCHAIRS", "2015-01-01") == ["FRA", "RUS", "USA"]


# ---------------------------------------------------------------- extension

def test_extra_folder_adds_people_countries_and_aliases(tiny_base, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    write(extra / "people_local.tsv",
          "p1\tAnna Testova\tAnnie Testowa\t\t\t\t\t\n"           # new alias for an existing id
          "p2\tBoris Probin\t\tpresident\tARM\t\t2018-01-01\t\n")
    gz = load_mod.load_cached(str(extra), use_cache=False, base=tiny_base)
    assert [p.id for p in gz.find_people("Annie Testowa")] == ["p1"]
    assert gz.find_people("Boris Probin")[0].role_at("2019-01-01") == ("president", "ARM", "")
    out = tag(clean_msg("Annie Testowa met Boris Probin in Yerevan.", "2012-01-01"), gz=gz)
    people = {m["text"]: m for m in out["mentions"] if m["type"] == "person"}
    assert people["Annie Testowa"]["name"] == "Anna Testova"
    assert people["Annie Testowa"]["role"] == "foreign minister"


def test_extra_folder_from_environment_is_merged_into_load(tmp_path, monkeypatch):
    extra = tmp_path / "extra"
    extra.mkdir()
    write(extra / "orgs_local.tsv", "ZQX\tZorblatt Council\tZorblatt Council|ZQXC\t\n")
    monkeypatch.setenv(gazetteer.EXTRA_ENV, str(extra))
    monkeypatch.setenv(load_mod.CACHE_ENV, str(tmp_path / "cache"))
    gz = gazetteer.load()
    assert gz is not gazetteer.load(extra="")
    out = tag(clean_msg("The Zorblatt Council met."), gz=gz)
    assert [m["code"] for m in out["mentions"] if m["type"] == "org"] == ["ZQX"]


def test_data_files_recognises_kinds_and_ignores_other_files(tiny_base):
    write(tiny_base / "notes.md", "not data")
    names = [p.name for p in load_mod.data_files("", tiny_base)]
    assert names == ["countries.tsv", "people_base.tsv", "roles.tsv"]


# ---------------------------------------------------------------- disk cache

def test_compiled_gazetteer_is_cached_on_disk_and_reused(tiny_base, tmp_path, monkeypatch):
    monkeypatch.setenv(load_mod.CACHE_ENV, str(tmp_path / "cache"))
    first = load_mod.load_cached("", base=tiny_base)
    cached = list((tmp_path / "cache").glob("gazetteer-*.pkl"))
    assert len(cached) == 1

    def no_compile(files):
        raise AssertionError("should have come from the cache")

    monkeypatch.setattr(load_mod, "compile_gazetteer", no_compile)
    again = load_mod.load_cached("", base=tiny_base)
    assert again is not first
    assert [p.name for p in again.find_people("Anya Testova")] == ["Anna Testova"]


def test_changing_a_data_file_invalidates_the_cache(tiny_base, tmp_path, monkeypatch):
    monkeypatch.setenv(load_mod.CACHE_ENV, str(tmp_path / "cache"))
    load_mod.load_cached("", base=tiny_base)
    people = tiny_base / "people_base.tsv"
    write(people, people.read_text("utf-8") + "p3\tCarl Neuling\t\t\tARM\t\t\t\n")
    os.utime(people, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    gz = load_mod.load_cached("", base=tiny_base)
    assert gz.find_people("Carl Neuling")
    assert len(list((tmp_path / "cache").glob("gazetteer-*.pkl"))) == 2   # one per data state


def test_only_a_few_recent_cache_files_are_kept(tiny_base, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv(load_mod.CACHE_ENV, str(cache))
    cache.mkdir()
    for i in range(5):
        stale = cache / f"gazetteer-old{i}.pkl"
        stale.write_bytes(b"x")
        os.utime(stale, (1_000_000 + i, 1_000_000 + i))
    load_mod.load_cached("", base=tiny_base)
    assert len(list(cache.glob("gazetteer-*.pkl"))) == load_mod.KEEP_CACHES


def test_corrupt_cache_file_is_rebuilt(tiny_base, tmp_path, monkeypatch):
    monkeypatch.setenv(load_mod.CACHE_ENV, str(tmp_path / "cache"))
    load_mod.load_cached("", base=tiny_base)
    cache = next((tmp_path / "cache").glob("gazetteer-*.pkl"))
    cache.write_bytes(b"not a pickle")
    assert load_mod.load_cached("", base=tiny_base).find_people("Anna Testova")


def test_unwritable_cache_dir_still_loads(tiny_base, tmp_path, monkeypatch):
    blocker = write(tmp_path / "file", "x")
    monkeypatch.setenv(load_mod.CACHE_ENV, str(blocker / "sub"))
    assert load_mod.load_cached("", base=tiny_base).find_people("Anna Testova")


# ---------------------------------------------------------------- dated roles

def test_role_at_uses_the_term_valid_on_the_date(tiny_base):
    gz = load_mod.load_cached("", use_cache=False, base=tiny_base)
    p = gz.find_people("Anna Testova")[0]
    assert p.role_at("2012-06-01") == ("foreign minister", "ARM", "")
    assert p.role_at("2016-06-01") is None
    assert p.role_at(None) == ("foreign minister", "ARM", "")


def test_successor_closes_an_open_ended_term(tmp_path):
    base = tmp_path / "b"
    base.mkdir()
    write(base / "people_x.tsv",
          "Q1\tOld Holder\t\tpresident\tARM\t\t2000-01-01\t\n"
          "Q2\tNew Holder\t\tpresident\tARM\t\t2008-04-09\t\n"
          # free-text titles (CountryInfo ids) may be wrong: they do not end another's term
          "ci:x\tCompany Boss\t\tpresident\tARM\t\t2009-01-01\t\n")
    gz = load_mod.load_cached("", use_cache=False, base=base)
    assert gz.find_people("Old Holder")[0].role_at("2010-01-01") is None
    assert gz.find_people("New Holder")[0].role_at("2010-01-01")[0] == "president"


# ---------------------------------------------------------------- normalisation and build helpers

def test_normalised_text_keeps_length_and_word_boundaries():
    text = "Çavuşoğlu’s «talks» in Łódź — Путин, U.S.-led"
    norm = norm_text(text)
    assert len(norm) == len(text)
    assert norm.startswith("cavusoglu s  talks  in lodz")
    assert "_" in norm          # Cyrillic letters can never match a Latin pattern
    assert fold("Sergey V. Lavrov") == "sergey v lavrov"


def test_build_title_cases_upper_case_dictionary_names():
    assert build._title_name("SERGEY_V._LAVROV_") == "Sergey V. Lavrov"
    assert build._title_name("BASHAR_AL-ASSAD_") == "Bashar al-Assad"
    assert build._factbook_name("Vladimir Vladimirovich PUTIN") == "Vladimir Vladimirovich Putin"


def test_build_normalises_official_titles_to_generic_roles():
    roles = build.Roles.load(SHIPPED / "roles.tsv")
    assert roles.normalise("Minister of Foreign Affairs") == "foreign minister"
    assert roles.normalise("United States Secretary of State") == "secretary of state"
    assert roles.normalise("Minister of Foreign Affairs & Secretary, Security Council") == "foreign minister"
    assert roles.normalise("Vice-Presidents") == "vice president"
    assert roles.normalise("Deputy Chairman of the Board") is None


def test_build_dates_accept_the_dictionary_formats():
    assert build._date("090121") == "2009-01-21"
    assert build._date("19940922") == "1994-09-22"
    assert build._date("2004017") == ""
    assert build._date("20090231") == "2009-02-28"


def test_one_country_owns_a_shared_demonym():
    rows = [("FRA", "name", "France"), ("FRA", "demonym", "French"), ("ATF", "demonym", "French")]
    kept = build._one_country_per_surface(rows, {"FRA": 67_000_000, "ATF": 140})
    assert ("ATF", "demonym", "French") not in kept and ("FRA", "demonym", "French") in kept
