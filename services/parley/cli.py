"""The `parley` command line. Settings come from the environment (parley/config.py);
flags override them. The one-machine commands live in parley/commands/."""
from __future__ import annotations

import argparse
import asyncio
import importlib
import sys

from .config import Settings
from .stages import NAMES, canonical_name, stage_spec

WORKERS = NAMES + ("ingest", "api")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley", description="Diplomatic news in, meeting events out.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = sub.add_parser("up", help="run the whole pipeline here (embedded broker unless KAFKA_BOOTSTRAP_SERVERS)")
    up.add_argument("--input", action="append", default=[], metavar="PATH",
                    help="file or folder of articles (default: the sample articles shipped with Parley)")
    up.add_argument("--once", action="store_true", help="exit when every ingested article has reached the sink")
    up.add_argument("--export", metavar="FILE.jsonl",
                    help="write the detected meetings as JSON Lines (and the stories to FILE.stories.jsonl)")
    up.add_argument("--stall-timeout", type=float, default=120.0, metavar="SECONDS",
                    help="give up when no stage progresses for this long (default 120)")

    worker = sub.add_parser("worker", help="run one service against the configured broker")
    # type= runs before the choices check: a deprecated name is accepted, warned about and renamed.
    worker.add_argument("name", choices=WORKERS, type=canonical_name)

    ingest = sub.add_parser("ingest", help="publish articles to a running pipeline")
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files or folders; - reads JSON Lines from stdin")

    process = sub.add_parser("process", help="clean, tag and detect in this process, without Kafka")
    process.add_argument("paths", nargs="+", metavar="PATH")
    process.add_argument("--output", "-o", metavar="FILE.jsonl", help="write the meetings as JSON Lines")
    process.add_argument("--quiet", "-q", action="store_true", help="do not print the meetings table")
    process.add_argument("--stories", action="store_true",
                         help="merge the meetings into stories: --output then holds one story a line, with its reports")

    sub.add_parser("eval", help="score the detector on an annotated corpus folder (options: parley eval --help)")

    export = sub.add_parser("export", help="write the meetings stored by the sink as JSON Lines")
    export.add_argument("output", metavar="FILE.jsonl")
    export.add_argument("--stories", action="store_true",
                        help="write the stories (one real meeting each, with its reports) instead of the meetings")

    dlq = sub.add_parser("dlq", help="list dead-lettered messages, or re-publish them after a fix")
    dlq.add_argument("--republish", action="store_true",
                     help="send each message back to its original topic (only those the topic held at start)")
    dlq.add_argument("--dry-run", action="store_true",
                     help="show what --republish would send (counts by stage and reason, a few rows); send nothing")
    dlq.add_argument("--stage", help="only messages dead-lettered by this stage")
    dlq.add_argument("--reason", help="only messages with this reason code (an unknown one lists those that exist)")
    dlq.add_argument("--limit", type=int, default=None, help="rows to list (default 50; 10 with --dry-run)")

    topics = sub.add_parser("topics", help="manage the topics of the registry")
    topics.add_argument("action", choices=("create", "list"))

    alerts = sub.add_parser("alerts", help="check an alert rules file, or see which rules would fire on articles")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    alerts_check = alerts_sub.add_parser("check", help="validate a rules file (the stages refuse a bad one)")
    alerts_check.add_argument("rules", metavar="RULES.yaml")
    alerts_test = alerts_sub.add_parser("test", help="show which rules would fire on these articles; sends nothing")
    alerts_test.add_argument("rules", metavar="RULES.yaml")
    alerts_test.add_argument("paths", nargs="+", metavar="ARTICLES", help="files or folders of articles")
    alerts_test.add_argument("--output", "-o", metavar="FILE.jsonl", help="also write the alerts as JSON Lines")

    sub.add_parser("bench", help="measure throughput, latency and memory (options: parley bench --help)")
    parser.subcommands = sub.choices  # name -> sub-parser, for errors in the sub-command's usage
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:
        # The benchmark has its own options (parley bench --help); argparse's REMAINDER
        # would refuse those that start with "--" right after the sub-command.
        from .bench import main as bench_main

        return bench_main(argv[1:])
    if argv[:1] == ["eval"]:
        # Same for the evaluation: its options are defined once, in parley.eval.report.
        from .eval.report import main as eval_main

        return eval_main(argv[1:])
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # argparse would report these with the top-level usage; the sub-command's is the useful one.
        parser.subcommands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    settings = Settings.from_env()
    command = args.command
    if command == "up":
        from .commands.up import up

        return up(settings, args.input, once=args.once, export=args.export, stall_timeout=args.stall_timeout)
    if command == "worker":
        return run_named_worker(args.name, settings)
    if command == "ingest":
        from .ingest.publish import ingest_paths

        return ingest_paths(settings, args.paths)
    if command == "process":
        from .commands.process import process_paths

        return process_paths(settings, args.paths, output=args.output, quiet=args.quiet, stories=args.stories)
    if command == "export":
        from .commands.export import export

        return export(settings, args.output, stories=args.stories)
    if command == "dlq":
        from .commands.dlq import run as dlq_run

        return asyncio.run(dlq_run(settings, republish=args.republish, dry_run=args.dry_run, stage=args.stage,
                                   reason=args.reason, limit=args.limit))
    if command == "alerts":
        from .commands import alerts as alerts_command

        if args.alerts_command == "check":
            return alerts_command.check(args.rules)
        return alerts_command.test(settings, args.rules, args.paths, output=args.output)
    if command == "topics":
        from .topics import Topics, create_topics_sync

        settings.require_bootstrap()
        if args.action == "create":
            created = create_topics_sync(settings)
            print(f"created: {', '.join(created) if created else 'none (all exist)'}")
        else:
            print("\n".join(Topics(settings.topic_prefix).all()))
        return 0
    raise AssertionError(command)


def run_named_worker(name: str, settings: Settings) -> int:
    settings.require_bootstrap()
    if name == "ingest":
        from .ingest.worker import run

        return run(settings)
    if name == "api":
        from .api.worker import run

        return run(settings)
    from .stages.shell import run_worker

    module = importlib.import_module(stage_spec(name).module)
    run_worker(module.make_stage(settings), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
