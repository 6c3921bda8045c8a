"""Graceful shutdown: SIGTERM or SIGINT mid-stream makes a worker finish or hand back its
in-flight batch, commit, flush and exit 0; a restarted worker resumes where it stopped, and the
sink ends with exactly the expected meetings.
"""
from __future__ import annotations

import asyncio
import signal
import subprocess
import time

import pytest

from support import workload
from support.faults import Clock, Tally, publish_in_chunks, read_topic, sink_articles, sink_event_ids, wait_all_ready, wait_ready
from support.harness import running_pipeline, settings_for
from parley.progress import wait_until_drained

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(600)]

ARTICLES = 600
SEED = 3
# (worker, signal, fraction of its work done when it is stopped)
STOPS = [("cleaner", signal.SIGTERM, 0.2), ("tagger", signal.SIGINT, 0.4), ("sink", signal.SIGTERM, 0.6)]
OUTPUT = {"cleaner": "articles.clean", "tagger": "articles.tagged", "detector": "events.meetings"}


async def stream_and_stop(settings, workers, messages, expected_events: int) -> list[dict]:
    # Where to stop each worker: a fraction of its work. The sink reads a receipt per article,
    # the meetings and the story changes (about one per meeting); "of" is then set to what each
    # worker really had to do in the end.
    work = {"cleaner": len(messages), "tagger": len(messages), "detector": len(messages),
            "sink": len(messages) + 2 * expected_events}
    stops = []
    stopped_all = asyncio.Event()
    held = len(messages) - len(messages) // 10

    async def feed():
        await publish_in_chunks(settings, messages[:held], chunk=30, pause=0.3)
        await stopped_all.wait()  # no worker can have finished its work when it is stopped
        await publish_in_chunks(settings, messages[held:], chunk=30, pause=0.1)

    async with Clock(settings) as clock:
        feeding = asyncio.create_task(feed())
        try:
            for name, sig, fraction in STOPS:
                before = await clock.wait_committed(name, int(work[name] * fraction), timeout=180,
                                                    check=workers.check)
                proc = workers.get(name).proc
                proc.send_signal(sig)
                started = time.monotonic()
                try:
                    code = await asyncio.to_thread(proc.wait, 30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    code = "did not exit within 30 s"
                seconds = round(time.monotonic() - started, 1)
                after = (await clock.stages())[name].committed
                log = workers.get(name).log_path.read_text(errors="replace")
                workers.restart(name)
                await asyncio.to_thread(wait_ready, workers, name, 120)
                stops.append({"worker": name, "signal": sig.name, "exit_code": code, "exit_s": seconds,
                              "committed_before": before, "committed_after": after, "of": work[name],
                              "traceback_in_log": "Traceback" in log})
            stopped_all.set()
            await feeding
        finally:
            if not feeding.done():
                feeding.cancel()
        await wait_until_drained(clock.monitor, len(messages), check=workers.check, stall_timeout=120)
        final = await clock.stages()
    for stop in stops:
        stop["of"] = final[stop["worker"]].committed
    return stops


@pytest.fixture(scope="module")
def stopped(broker, tmp_path_factory):
    import uuid

    tmp = tmp_path_factory.mktemp("shutdown")
    settings = settings_for(broker, f"stop{uuid.uuid4().hex[:6]}.", tmp)
    articles = workload.good_articles(ARTICLES, seed=SEED, label="shutdown", max_chars=workload.SHORT)
    expected = workload.expected_events(articles)
    with running_pipeline(settings, tmp) as workers:
        wait_all_ready(workers)
        stops = asyncio.run(stream_and_stop(settings, workers, workload.messages_of(articles), len(expected)))
        workers.check()
    outputs = {name: len(asyncio.run(read_topic(settings, topic))) for name, topic in OUTPUT.items()}
    print(f"\nshutdown figures: stops={stops} outputs={outputs}")
    yield dict(settings=settings, articles=articles, expected=expected, stops=stops, outputs=outputs,
               stored=sink_event_ids(settings), stored_articles=sink_articles(settings))


@pytest.mark.parametrize("index", range(len(STOPS)), ids=[f"{n}-{s.name}" for n, s, _f in STOPS])
def test_a_signalled_worker_exits_cleanly_mid_stream(stopped, index):
    stop = stopped["stops"][index]
    assert stop["exit_code"] == 0, stop
    assert stop["committed_before"] < stop["of"], f"stopped after finishing its work: {stop}"
    assert not stop["traceback_in_log"], stop


def test_a_signalled_worker_commits_all_it_has_done_so_its_successor_redoes_nothing(stopped):
    # faust lets the agent finish its in-flight batch, commits, then flushes the producer: the
    # restarted worker starts exactly after the last message its predecessor published for.
    # A stop without that commit would show as extra (re-done) messages on the output topic.
    assert stopped["outputs"]["cleaner"] == ARTICLES, stopped["stops"]
    assert stopped["outputs"]["tagger"] == ARTICLES, stopped["stops"]


def test_restarted_workers_resume_and_the_sink_holds_every_meeting_once(stopped):
    tally = Tally.of(stopped["expected"], stopped["stored"])
    assert set(stopped["stored_articles"]) == {a.article_id for a in stopped["articles"]}
    assert tally.exact, tally.problems() + "; " + workload.explain(stopped["articles"], tally)
