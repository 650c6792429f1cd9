"""Which duty act a meeting's attendance becomes: one table, kind -> (attended, on approved leave, absent).

Kinds with no leave/absent act record attendance only. The act codes are performance's
(`zhengxie.performance.acts`); they are spelled out here so that this table reads on its own.
"""

from __future__ import annotations

from .models import Invitation, Meeting

K = Meeting.Kind

ACTS: dict[str, tuple[str, str | None, str | None]] = {
    K.PLENARY: ("plenary_attend", "plenary_leave", "plenary_absent"),
    K.STANDING: ("standing_attend", "standing_leave", "standing_absent"),
    K.CHAIR: ("chair_meeting_attend", None, None),
    K.COMMITTEE: ("committee_meeting_attend", None, None),
    K.SECTOR_ACTIVITY: ("sector_activity", None, None),
    K.INSPECTION: ("inspection", None, None),
    K.RESEARCH: ("research", None, None),
    K.TRAINING: ("training", None, None),
    K.LECTURE: ("lecture_attend", None, None),
    K.ONLINE_DUTY: ("online_duty", None, None),
    # Attending 委员讲堂 or 政协论坛 is "lecture_attend"; giving the talk ("lecture") is self-reported.
    # 知情明政 is learning.
    K.FORUM: ("lecture_attend", None, None),
    K.BRIEFING: ("training", None, None),
    # The meeting of a consultation (协商议事); speaking there is recorded by the consultation's segments.
    K.CONSULTATION: ("consultation_attend", None, None),
    # 书香政协: a reading activity (读书会, 读书分享); reading notes are credited by the reading app.
    K.READING: ("reading_activity", None, None),
}


def act_for(kind: str, attendance: str) -> str | None:
    """The act for a final attendance value, or None when this kind records nothing for it."""
    attend, leave, absent = ACTS[kind]
    return {
        Invitation.Attendance.PRESENT: attend,
        Invitation.Attendance.ON_LEAVE: leave,
        Invitation.Attendance.ABSENT: absent,
    }.get(attendance)
