"""What fails for good is kept: schedules name a dead-letter queue, failures can be replayed."""

from __future__ import annotations

from tests.conftest import TEST_ENV
from tests.helpers import make_mail
from tests.integration.conftest import Helpdesk


def test_every_sla_schedule_names_the_failed_tasks_queue_as_its_dead_letter_queue(
    helpdesk: Helpdesk,
) -> None:
    helpdesk.deliver(make_mail())
    scheduler = helpdesk.aws["scheduler"]
    group = TEST_ENV["SCHEDULER_GROUP"]
    names = [s["Name"] for s in scheduler.list_schedules(GroupName=group)["Schedules"]]

    assert len(names) == 2  # the first response's warning and breach
    for name in names:
        target = scheduler.get_schedule(Name=name, GroupName=group)["Target"]
        assert target["DeadLetterConfig"] == {"Arn": TEST_ENV["SCHEDULER_DEAD_LETTER_ARN"]}
