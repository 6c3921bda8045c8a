"""A subscriber of `events.stories`: keeps the latest version of each story and prints what
changed. Plain aiokafka, no Parley import: copy it into your own service.

    python examples/subscribe_stories.py --bootstrap 127.0.0.1:PORT [--group my-app] [--prefix P]

With a consumer group (the default) it resumes where it stopped after a restart; messages may
come again after a crash of either side (at-least-once): the latest version of a story wins,
so a repeat changes nothing. `--max N` stops after N messages (tests, quick looks).
"""
from __future__ import annotations

import argparse
import asyncio
import json

from aiokafka import AIOKafkaConsumer


async def follow(bootstrap: str, group: str, prefix: str, max_messages: int | None) -> dict[str, dict]:
    stories: dict[str, dict] = {}  # story_id -> latest message
    consumer = AIOKafkaConsumer(
        f"{prefix}events.stories", bootstrap_servers=bootstrap, group_id=group,
        auto_offset_reset="earliest", enable_auto_commit=False,
        # the embedded broker of `parley up` needs short group timeouts to join in seconds
        session_timeout_ms=6000, heartbeat_interval_ms=1000, rebalance_timeout_ms=6000,
    )
    await consumer.start()
    seen = 0
    try:
        async for record in consumer:
            story = json.loads(record.value)
            if story.get("schema_version") != 1:
                continue  # a version this code does not know: skip (or stop), never guess
            if story["change"] == "merged":
                stories.pop(story["story_id"], None)  # its reports now live in story["merged_into"]
            else:
                stories[story["story_id"]] = story
            sides = " ".join(story["countries"] + story["orgs"])
            print(f"{story['change']:<15} {story['story_id']} {story['status']:<9} {story['kind']:<12} {sides} "
                  f"({story['report_count']} reports)", flush=True)
            await consumer.commit()  # after the message is handled: at-least-once
            seen += 1
            if max_messages is not None and seen >= max_messages:
                break
    finally:
        await consumer.stop()
    return stories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True, help="host:port of the broker")
    parser.add_argument("--group", default="stories-subscriber", help="consumer group of this subscriber")
    parser.add_argument("--prefix", default="", help="PARLEY_TOPIC_PREFIX of the deployment")
    parser.add_argument("--max", type=int, default=None, help="stop after this many messages")
    args = parser.parse_args()
    asyncio.run(follow(args.bootstrap, args.group, args.prefix, args.max))


if __name__ == "__main__":
    main()
