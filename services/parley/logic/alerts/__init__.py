"""Alert rules as data and the alerts they give. Pure logic, no Kafka (README, section Alerts).

- `rules`: the rules file (YAML, JSON-Schema-checked), `RuleSet`, `RulesFile` (reloaded on change)
- `query`: the text query a rule matches against the evidence
- `match`: story changes and meeting events against the rules -> `alerts` messages, with
  deterministic idempotency keys
- `delivery`: webhook bodies (json, slack), the HMAC signature, backoff and the rate limit
"""
from parley.logic.alerts.match import event_alerts, event_matches, story_alerts, story_matches
from parley.logic.alerts.rules import RuleSet, RulesError, RulesFile, load_rules, parse_rules

__all__ = ["RuleSet", "RulesError", "RulesFile", "event_alerts", "event_matches", "load_rules", "parse_rules",
           "story_alerts", "story_matches"]
