"""Attacks in the learner's code against an honest room of 04: shadowing and patching,
unlocked-cell edits, the reference and the answer key (`grading_attacks`)."""

import grading_attacks as attacks
import pytest


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return attacks.graded_room(tmp_path_factory, attacks.CODE, odd_files=False)


def test_at_least_30_attacks_in_every_family():
    attacks.check_at_least_30_attacks_in_every_family()


def test_every_learner_scores_exactly_its_honest_part(graded):
    attacks.check_scores(graded)


def test_refused_exercises_say_why(graded):
    attacks.check_reasons_code(graded)


def test_nothing_outside_the_scratch_changed(graded):
    attacks.check_no_damage(graded)


def test_the_room_finishes_and_no_process_is_left(graded):
    attacks.check_finished(graded)
