"""The commands of `parley` that run on one machine: `up`, `process`, `dlq` (cli.py dispatches)."""
