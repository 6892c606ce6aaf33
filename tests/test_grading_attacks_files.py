"""Attacks on the machine and the room against an honest room of 04: writes and deletes
outside the learner's folder, killing the grader or the process, hangs, huge outputs,
malformed and oddly named files (`grading_attacks`)."""

import grading_attacks as attacks
import pytest

FAMILIES = {family for _, family, *_ in attacks.ATTACKS} - attacks.CODE


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return attacks.graded_room(tmp_path_factory, FAMILIES, odd_files=True)


def test_every_learner_scores_exactly_its_honest_part(graded):
    attacks.check_scores(graded)


def test_failures_and_malformed_files_say_why(graded):
    attacks.check_reasons_files(graded)


def test_nothing_outside_the_scratch_changed(graded):
    attacks.check_no_damage(graded)


def test_skipped_files_are_listed_with_the_reason(graded):
    attacks.check_skipped(graded)


def test_the_room_finishes_and_no_process_is_left(graded):
    attacks.check_finished(graded)
