"""The replay: a kept event leaves its queue only when its function succeeded on it."""

from __future__ import annotations

from chalicelib.services.ports import FailedTask
from chalicelib.services.replay import Replay
from tests.fakes import InMemoryFailureQueue, RecordingInvoker


def task(n: int, function: str = "helpdesk-inbound-email") -> FailedTask:
    return FailedTask(id=f"m{n}", receipt=f"r{n}", function=function, payload={"n": n})


def test_each_task_goes_to_its_function_and_leaves_the_queue_when_it_succeeded() -> None:
    queue = InMemoryFailureQueue(task(1), task(2, "helpdesk-scheduled"))
    invoker = RecordingInvoker()

    report = Replay(queue, invoker).run()

    assert invoker.calls == [("helpdesk-inbound-email", {"n": 1}), ("helpdesk-scheduled", {"n": 2})]
    assert queue.deleted == ["m1", "m2"] and queue.waiting == {} == queue.hidden
    assert [t.id for t in report.replayed] == ["m1", "m2"] and report.failed == []


def test_a_task_that_fails_again_stays_in_the_queue_visible_for_the_next_run() -> None:
    queue = InMemoryFailureQueue(task(1), task(2))
    invoker = RecordingInvoker(fail=lambda _function, payload: payload["n"] == 2)

    report = Replay(queue, invoker).run()

    assert queue.deleted == ["m1"] and list(queue.waiting) == ["m2"] and queue.hidden == {}
    assert [(t.id, why) for t, why in report.failed] == [
        ("m2", "helpdesk-inbound-email failed again")
    ]


def test_one_run_tries_each_task_once_however_many_batches_it_takes() -> None:
    queue = InMemoryFailureQueue(*(task(n) for n in range(25)), batch=10)
    invoker = RecordingInvoker(fail=lambda _function, payload: payload["n"] % 2 == 0)

    report = Replay(queue, invoker).run()

    assert len(invoker.calls) == 25 == len({p["n"] for _, p in invoker.calls})
    assert (len(report.replayed), len(report.failed), len(queue.waiting)) == (12, 13, 13)


def test_a_dry_run_invokes_nothing_and_leaves_every_task_waiting() -> None:
    queue = InMemoryFailureQueue(task(1), task(2))
    invoker = RecordingInvoker()

    report = Replay(queue, invoker).run(dry_run=True)

    assert invoker.calls == [] and queue.deleted == []
    assert sorted(queue.waiting) == ["m1", "m2"] and [t.id for t in report.listed] == ["m1", "m2"]


def test_a_limit_bounds_the_run() -> None:
    queue = InMemoryFailureQueue(*(task(n) for n in range(5)))

    report = Replay(queue, RecordingInvoker()).run(limit=3)

    assert len(report.replayed) == 3 and len(queue.waiting) == 2
