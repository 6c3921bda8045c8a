"""Alert rules as data: the YAML file of PARLEY_ALERT_RULES, read, checked and compiled.

    rules = parse_rules(text, "rules.yaml")     # RuleSet, or RulesError naming rule and field
    watcher = RulesFile("rules.yaml")           # the file, reloaded when its content changes
    watcher.maybe_reload()                      # a bad new file is refused: the old rules stay

The file is checked against `rules.schema.json` (JSON Schema draft 2020-12) and then for what a
schema cannot say (unique ids, a text query that parses, fields that make no sense for the
rule's source). Every problem is reported with the rule's id and the field, e.g.
`rule "summits" (rules[2]), match.statuses[0]: 'canceled' is not one of ... (did you mean 'cancelled'?)`.

Secrets never appear in the file: a target names the environment variable holding its HMAC
secret (`secret_env`) and, for URLs that are themselves secret (Slack's), its URL (`url_env`).
"""
from __future__ import annotations

import difflib
import hashlib
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit

import orjson

from parley.logic.alerts.query import Query, QueryError, parse as parse_query

SCHEMA_FILE = Path(__file__).with_name("rules.schema.json")
STATUSES = ("occurred", "planned", "proposed", "cancelled", "denied")
# What a story rule fires on when it does not say: a new story, or its status moving.
DEFAULT_CHANGES = ("new", "status_changed")
DEFAULT_MAX_DELAY = 60.0  # seconds an alert over its rule's rate may wait for a token
MAX_ERRORS = 20


class RulesError(Exception):
    """A rules file that cannot be used; `errors` are one line each, naming rule and field."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = errors[:MAX_ERRORS]
        more = len(errors) - len(self.errors)
        lines = "\n".join(f"  - {e}" for e in self.errors) + (f"\n  - ... and {more} more" if more > 0 else "")
        super().__init__(f"alert rules {source} refused ({len(errors)} problem{'s' if len(errors) != 1 else ''}):\n{lines}")


@dataclass(frozen=True)
class Target:
    index: int  # position in the rule's targets (1-based, as people count)
    format: str  # "json" | "slack"
    url: str | None = None
    url_env: str | None = None
    secret_env: str | None = None

    @property
    def label(self) -> str:
        """How logs and dead letters name the target: never the URL itself (it may be secret)."""
        if self.url:
            return f"target {self.index} ({self.format}, {urlsplit(self.url).hostname})"
        return f"target {self.index} ({self.format}, ${self.url_env})"

    def resolve(self, env: Mapping[str, str]) -> tuple[str, str | None]:
        """(URL, HMAC secret or None) from the file and the environment; KeyError if unset."""
        url = self.url if self.url else env[self.url_env]
        secret = env[self.secret_env] if self.secret_env else None
        return url, secret


@dataclass(frozen=True)
class RateLimit:
    count: int  # alerts ...
    per: float  # ... per this many seconds (a token bucket holding `count`, refilled evenly)
    max_delay: float = DEFAULT_MAX_DELAY  # longer waits drop the alert (to the dead-letter topic)


@dataclass(frozen=True)
class Match:
    countries_any: frozenset[str] = frozenset()
    countries_all: frozenset[str] = frozenset()
    people_any: tuple[str, ...] = ()
    people_all: tuple[str, ...] = ()
    orgs_any: tuple[str, ...] = ()
    orgs_all: tuple[str, ...] = ()
    kinds: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    changes: frozenset[str] = frozenset(DEFAULT_CHANGES)
    status_changes: tuple[tuple[str | None, str | None], ...] = ()
    min_confidence: float | None = None
    text: Query | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    source: str  # "stories" | "events"
    match: Match
    targets: tuple[Target, ...]
    description: str | None = None
    rate_limit: RateLimit | None = None


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    version: str  # first 12 hex of the sha256 of the file's bytes
    source: str = "<rules>"
    by_id: dict[str, Rule] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self.by_id.update({r.id: r for r in self.rules})

    def get(self, rule_id: str) -> Rule | None:
        return self.by_id.get(rule_id)

    def for_source(self, source: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.source == source)

    def missing_environment(self, env: Mapping[str, str]) -> list[str]:
        """The environment variables the targets name that are unset (what a notifier needs)."""
        out = []
        for position, rule in enumerate(self.rules):
            for target in rule.targets:
                for what, name in (("url_env", target.url_env), ("secret_env", target.secret_env)):
                    if name and not env.get(name):
                        out.append(f"{_rule_label(rule.id, position)}, targets[{target.index - 1}].{what}: "
                                   f"the environment variable {name} is not set")
        return out


# ------------------------------------------------------------------ reading


def parse_rules(text: str | bytes, source: str = "<rules>") -> RuleSet:
    """Read, check and compile a rules file's content; raises RulesError."""
    raw = text.encode() if isinstance(text, str) else text
    version = hashlib.sha256(raw).hexdigest()[:12]
    data = _load_yaml(raw, source)
    errors = _schema_errors(data)
    if errors:
        raise RulesError(source, errors)
    rules, errors = [], []
    seen: dict[str, int] = {}
    for position, item in enumerate(data["rules"]):
        label = _rule_label(item["id"], position)
        if item["id"] in seen:
            errors.append(f"{label}, id: the id is already used by rules[{seen[item['id']]}]")
        seen.setdefault(item["id"], position)
        try:
            rules.append(_compile(item, label))
        except RulesError as exc:
            errors += exc.errors
    if errors:
        raise RulesError(source, errors)
    return RuleSet(tuple(rules), version, source)


def load_rules(path: str | os.PathLike) -> RuleSet:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RulesError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from None
    return parse_rules(raw, str(path))


def _rule_label(rule_id, position: int) -> str:
    return f'rule "{rule_id}" (rules[{position}])' if isinstance(rule_id, str) else f"rules[{position}]"


def _load_yaml(raw: bytes, source: str):
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        """YAML's safe loader, refusing a key given twice (the second would silently win)."""

    def mapping(loader, node, deep=False):
        keys = set()
        for key_node, _value in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in keys:
                mark = key_node.start_mark
                raise RulesError(source, [f"line {mark.line + 1}, column {mark.column + 1}: the key {key!r} "
                                          f"is given twice in the same mapping"])
            keys.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RulesError(source, ["the file is not UTF-8 text"]) from None
    try:
        data = yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise RulesError(source, [f"{where}not valid YAML: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise RulesError(source, [f"not valid YAML: {exc}"]) from None
    if data is None:
        raise RulesError(source, ["the file is empty; it needs `version: 1` and a `rules:` list"])
    return data


@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(orjson.loads(SCHEMA_FILE.read_bytes()))


def _schema_errors(data) -> list[str]:
    from jsonschema.exceptions import best_match

    errors = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        if error.validator in ("oneOf", "anyOf") and error.context:
            # The branch the value was meant for: not one whose type it does not even have.
            meant = [e for e in error.context if not (e.validator == "type" and not e.relative_path)]
            error = best_match(meant or error.context)
        errors.append(_describe(error, data))
    return list(dict.fromkeys(errors))


def _describe(error, data) -> str:
    path = list(error.absolute_path)
    where = "(top level)"
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rule = data["rules"][path[1]] if isinstance(data.get("rules"), list) else None
        where = _rule_label(rule.get("id") if isinstance(rule, dict) else None, path[1])
        rest = path[2:]
        if rest:
            where += ", " + _dotted(rest)
    elif path:
        where = _dotted(path)
    return f"{where}: {_message(error)}"


def _dotted(path: list) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_PATTERN_HINTS = {
    "^[A-Z]{3}$": "is not an ISO 3166 alpha-3 country code in capitals (e.g. TUR, USA)",
    "^[A-Za-z_][A-Za-z0-9_]*$": "is not the name of an environment variable",
    "^https?://[^\\s/]+": "is not an http:// or https:// URL",
    "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$": "is not a rule id (letters, digits, '.', '_', '-'; up to 64; "
                                         "starting with a letter or digit)",
}


def _message(error) -> str:
    instance = error.instance
    if error.validator == "additionalProperties":
        allowed = list((error.schema.get("properties") or {}).keys())
        extra = [k for k in instance if k not in allowed] if isinstance(instance, dict) else []
        parts = []
        for key in extra:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            parts.append(f"unknown field {key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        return "; ".join(parts) + f"; allowed: {', '.join(allowed)}"
    if error.validator == "enum":
        allowed = [str(v) for v in error.validator_value]
        close = difflib.get_close_matches(str(instance), allowed, n=1)
        return (f"{instance!r} is not one of {', '.join(allowed)}"
                + (f" (did you mean {close[0]!r}?)" if close else ""))
    if error.validator == "required":
        missing = [k for k in error.validator_value if not isinstance(instance, dict) or k not in instance]
        return f"missing field {', '.join(map(repr, missing))}"
    if error.validator == "pattern" and error.validator_value in _PATTERN_HINTS:
        return f"{instance!r} {_PATTERN_HINTS[error.validator_value]}"
    if error.validator == "const" and error.absolute_path and list(error.absolute_path) == ["version"]:
        return f"{instance!r}: this Parley reads version 1 of the rules format"
    if error.validator == "type" and instance is None:
        return f"is empty; expected {error.validator_value}"
    return error.message


def _any_all(value) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if value is None:
        return (), ()
    if isinstance(value, list):
        return tuple(value), ()
    return tuple(value.get("any") or ()), tuple(value.get("all") or ())


def _compile(item: dict, label: str) -> Rule:
    errors = []
    source = item.get("source", "stories")
    spec = item.get("match") or {}
    if source == "events":
        for name in ("changes", "status_changes"):
            if name in spec:
                errors.append(f"{label}, match.{name}: an events rule matches meeting events, which have no "
                              f"story changes; use `source: stories` (the default) or drop {name}")
    pairs = []
    for i, pair in enumerate(spec.get("status_changes") or []):
        if pair.get("from") is not None and pair.get("from") == pair.get("to"):
            errors.append(f"{label}, match.status_changes[{i}]: from and to are both {pair['from']!r}; "
                          "a status change goes from one status to another")
        pairs.append((pair.get("from"), pair.get("to")))
    changes = spec.get("changes")
    if pairs and changes is not None and "status_changed" not in changes:
        errors.append(f"{label}, match.changes: status_changes only match `status_changed` changes, "
                      f"which changes ({', '.join(changes)}) leaves out")
    query = None
    if "text" in spec:
        try:
            query = parse_query(spec["text"])
        except QueryError as exc:
            errors.append(f"{label}, match.text: {exc}")
    targets = []
    for i, target in enumerate(item["targets"]):
        if bool(target.get("url")) == bool(target.get("url_env")):
            errors.append(f"{label}, targets[{i}]: give exactly one of url (the address) and url_env "
                          "(the environment variable holding it, for addresses that are secrets)")
            continue
        targets.append(Target(i + 1, target["format"], target.get("url"), target.get("url_env"),
                              target.get("secret_env")))
    if errors:
        raise RulesError(label, errors)
    countries_any, countries_all = _any_all(spec.get("countries"))
    people_any, people_all = _any_all(spec.get("people"))
    orgs_any, orgs_all = _any_all(spec.get("orgs"))
    limit = item.get("rate_limit")
    return Rule(
        id=item["id"], source=source, description=item.get("description"), targets=tuple(targets),
        rate_limit=RateLimit(limit["count"], float(limit["per"]), float(limit.get("max_delay", DEFAULT_MAX_DELAY)))
        if limit else None,
        match=Match(
            countries_any=frozenset(countries_any), countries_all=frozenset(countries_all),
            people_any=people_any, people_all=people_all, orgs_any=orgs_any, orgs_all=orgs_all,
            kinds=frozenset(spec.get("kinds") or ()), statuses=frozenset(spec.get("statuses") or ()),
            changes=frozenset(changes) if changes is not None else frozenset(DEFAULT_CHANGES),
            status_changes=tuple(pairs), min_confidence=spec.get("min_confidence"), text=query,
        ),
    )


# ------------------------------------------------------------------ the file, reloaded


class RulesFile:
    """The rules of one file, reloaded when its content changes.

    `maybe_reload()` (called before each batch, and by a timer) reads the file at most every
    `every` seconds and compares its sha256 with the rules in force: a change that parses
    (and, when `env` is given, whose environment variables are set) replaces the rules; one
    that does not is refused: the old rules stay in force, `on_refused(error)` is called
    (once per bad content) and `last_error` says why.
    """

    def __init__(self, path: str | os.PathLike, *, env: Mapping[str, str] | None = None, every: float = 2.0,
                 on_loaded: Callable[[RuleSet], None] | None = None,
                 on_refused: Callable[[RulesError], None] | None = None, clock=time.monotonic):
        self.path = Path(path)
        self.env = env
        self.every = every
        self.on_loaded = on_loaded
        self.on_refused = on_refused
        self.clock = clock
        self.current: RuleSet | None = None
        self.last_error: RulesError | None = None
        self._digest: str | None = None  # of the content last read, good or bad
        self._checked = float("-inf")

    def load(self) -> RuleSet:
        """The first load: a bad file raises RulesError (a worker refuses to start)."""
        raw = self._read()
        rules = self._parse(raw)
        self._put_in_force(rules, raw)
        self._checked = self.clock()
        return rules

    def maybe_reload(self, force: bool = False) -> bool:
        """True when new rules were put in force."""
        now = self.clock()
        if not force and now - self._checked < self.every:
            return False
        self._checked = now
        try:
            raw = self._read()
        except RulesError as exc:
            return self._refuse(exc, "unreadable")
        digest = hashlib.sha256(raw).hexdigest()
        if digest == self._digest:
            return False
        try:
            rules = self._parse(raw)
        except RulesError as exc:
            return self._refuse(exc, digest)
        except Exception as exc:  # a bug in the checks must not stop the stage: refuse the file
            return self._refuse(RulesError(str(self.path), [f"unexpected error reading it: {exc!r}"]), digest)
        self._put_in_force(rules, raw)
        return True

    def _read(self) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise RulesError(str(self.path), [f"cannot read the file: {exc.strerror or exc}"]) from None

    def _parse(self, raw: bytes) -> RuleSet:
        rules = parse_rules(raw, str(self.path))
        if self.env is not None:
            missing = rules.missing_environment(self.env)
            if missing:
                raise RulesError(str(self.path), missing)
        return rules

    def _put_in_force(self, rules: RuleSet, raw: bytes) -> None:
        self.current = rules
        self._digest = hashlib.sha256(raw).hexdigest()
        self.last_error = None
        if self.on_loaded is not None:
            self.on_loaded(rules)

    def _refuse(self, error: RulesError, digest: str) -> bool:
        if digest == self._digest:
            return False  # the same bad content: already said
        self._digest = digest
        self.last_error = error
        if self.on_refused is not None:
            self.on_refused(error)
        return False
