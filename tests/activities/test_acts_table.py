from zhengxie.activities.acts import ACTS, act_for
from zhengxie.activities.models import Invitation, Meeting
from zhengxie.performance import acts as performance_acts


def test_every_kind_maps_to_known_acts():
    assert set(ACTS) == set(Meeting.Kind.values)
    for codes in ACTS.values():
        assert all(c is None or c in performance_acts.ACTS for c in codes)


def test_attending_a_lecture_is_not_giving_it():
    for kind in (Meeting.Kind.LECTURE, Meeting.Kind.FORUM):
        assert act_for(kind, Invitation.Attendance.PRESENT) == performance_acts.LECTURE_ATTEND
    assert act_for(Meeting.Kind.PLENARY, Invitation.Attendance.ABSENT) == performance_acts.PLENARY_ABSENT
