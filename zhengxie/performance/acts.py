"""Act codes: every scored act of a member has one. Labels are what users read.

Other apps import the constants (``from zhengxie.performance import acts``; ``acts.PLENARY_ATTEND``) and
pass them to ``services.record_act``. Points and categories come from the scheme (see schemes.py).
"""

from __future__ import annotations

PLENARY_ATTEND = "plenary_attend"
PLENARY_LEAVE = "plenary_leave"
PLENARY_ABSENT = "plenary_absent"
STANDING_ATTEND = "standing_attend"
STANDING_LEAVE = "standing_leave"
STANDING_ABSENT = "standing_absent"
CHAIR_MEETING_ATTEND = "chair_meeting_attend"
COMMITTEE_MEETING_ATTEND = "committee_meeting_attend"
SECTOR_ACTIVITY = "sector_activity"
INSPECTION = "inspection"
RESEARCH = "research"
TRAINING = "training"
LECTURE = "lecture"
LECTURE_ATTEND = "lecture_attend"
ONLINE_DUTY = "online_duty"
SPEECH_WRITTEN = "speech_written"
SPEECH_ORAL = "speech_oral"
PROPOSAL_SUBMIT = "proposal_submit"
PROPOSAL_ACCEPT = "proposal_accept"
PROPOSAL_KEY = "proposal_key"
PROPOSAL_EXCELLENT = "proposal_excellent"
OPINION_SUBMIT = "opinion_submit"
OPINION_ACCEPT = "opinion_accept"
OPINION_ADOPT = "opinion_adopt"  # adopted at county level (the committee's own Party committee/government)
OPINION_ADOPT_CITY = "opinion_adopt_city"
OPINION_ADOPT_PROVINCE = "opinion_adopt_province"
OPINION_ADOPT_NATIONAL = "opinion_adopt_national"
OPINION_INSTRUCTION = "opinion_instruction"
SELF_REPORT = "self_report"
PUBLIC_WELFARE = "public_welfare"
STUDIO_DUTY = "studio_duty"  # a day of 线上值班 on a 委员工作室's rota (studios app)
PUBLIC_SERVICE = "public_service"  # a service done in the 委员为民服务超市 (studios app)
CONSULTATION_ATTEND = "consultation_attend"  # attending a consultation meeting (协商会议)
HALL_COMMENT = "hall_comment"  # a comment in an online hall (网络议政), capped per topic by consultation
CONSULTATION_ADOPTED = "consultation_adopted"  # a recommendation of one's consultation adopted
SUPERVISION = "supervision"  # serving in a 民主监督小组 through its year (supervision app)
APPRAISAL = "appraisal"  # rating a place or unit in a 民主评议 round (appraisal app), capped by the scheme
RESEARCH_REPORT = "research_report"  # writing the report of a 视察/调研 topic (research app)
READING_ACTIVITY = "reading_activity"  # attending a 书香政协 reading activity (a meeting of kind reading)
READING_NOTE = "reading_note"  # a reading note of a recommended book (reading app), once per book

# Default categories (a scheme may file an act under another category).
MEETINGS = "meetings"
PROPOSALS = "proposals"
OPINIONS = "opinions"
ACTIVITIES = "activities"
OTHER = "other"

CATEGORY_LABELS = {
    MEETINGS: "会议出勤",
    PROPOSALS: "提案工作",
    OPINIONS: "社情民意",
    ACTIVITIES: "履职活动",
    OTHER: "其他",
}

# code -> (label, default category, unit)
ACTS: dict[str, tuple[str, str, str]] = {
    PLENARY_ATTEND: ("出席全体会议", MEETINGS, "次"),
    PLENARY_LEAVE: ("全体会议请假", MEETINGS, "次"),
    PLENARY_ABSENT: ("全体会议无故缺席", MEETINGS, "次"),
    STANDING_ATTEND: ("出席常委会议", MEETINGS, "次"),
    STANDING_LEAVE: ("常委会议请假", MEETINGS, "次"),
    STANDING_ABSENT: ("常委会议无故缺席", MEETINGS, "次"),
    CHAIR_MEETING_ATTEND: ("列席主席会议", MEETINGS, "次"),
    COMMITTEE_MEETING_ATTEND: ("参加专委会会议", MEETINGS, "次"),
    SECTOR_ACTIVITY: ("参加界别活动", ACTIVITIES, "次"),
    INSPECTION: ("参加视察", ACTIVITIES, "次"),
    RESEARCH: ("参加调研", ACTIVITIES, "次"),
    TRAINING: ("参加学习培训", ACTIVITIES, "次"),
    LECTURE: ("委员讲堂/政协论坛主讲", ACTIVITIES, "次"),
    LECTURE_ATTEND: ("参加委员讲堂/政协论坛", ACTIVITIES, "次"),
    ONLINE_DUTY: ("委员线上值班", ACTIVITIES, "半天"),
    SPEECH_WRITTEN: ("书面发言", ACTIVITIES, "篇"),
    SPEECH_ORAL: ("会议口头发言", ACTIVITIES, "次"),
    PROPOSAL_SUBMIT: ("提交提案", PROPOSALS, "件"),
    PROPOSAL_ACCEPT: ("提案立案", PROPOSALS, "件"),
    PROPOSAL_KEY: ("重点提案", PROPOSALS, "件"),
    PROPOSAL_EXCELLENT: ("优秀提案", PROPOSALS, "件"),
    OPINION_SUBMIT: ("报送社情民意信息", OPINIONS, "篇"),
    OPINION_ACCEPT: ("社情民意信息被录用", OPINIONS, "篇"),
    OPINION_ADOPT: ("社情民意信息被采用", OPINIONS, "篇"),
    OPINION_ADOPT_CITY: ("社情民意信息被市级采用", OPINIONS, "篇"),
    OPINION_ADOPT_PROVINCE: ("社情民意信息被省级采用", OPINIONS, "篇"),
    OPINION_ADOPT_NATIONAL: ("社情民意信息被全国政协采用", OPINIONS, "篇"),
    OPINION_INSTRUCTION: ("社情民意信息获领导批示", OPINIONS, "篇"),
    SELF_REPORT: ("其他履职（自报，经确认）", OTHER, "项"),
    PUBLIC_WELFARE: ("参加公益活动", ACTIVITIES, "次"),
    STUDIO_DUTY: ("委员工作室线上值班", ACTIVITIES, "天"),
    PUBLIC_SERVICE: ("为民服务", ACTIVITIES, "次"),
    CONSULTATION_ATTEND: ("参加协商会议", ACTIVITIES, "次"),
    HALL_COMMENT: ("网络议政发言", ACTIVITIES, "条"),
    CONSULTATION_ADOPTED: ("协商建议被采纳", ACTIVITIES, "条"),
    SUPERVISION: ("参加民主监督小组", ACTIVITIES, "次"),
    APPRAISAL: ("参加民主评议", ACTIVITIES, "次"),
    RESEARCH_REPORT: ("执笔视察/调研报告", ACTIVITIES, "篇"),
    READING_ACTIVITY: ("参加读书活动", ACTIVITIES, "次"),
    READING_NOTE: ("撰写读书笔记", ACTIVITIES, "篇"),
}

CHOICES = [(code, v[0]) for code, v in ACTS.items()]

# Acts a member may report with evidence (staff confirm them).
SELF_REPORTABLE = [
    SECTOR_ACTIVITY,
    INSPECTION,
    RESEARCH,
    TRAINING,
    LECTURE,
    ONLINE_DUTY,
    SPEECH_WRITTEN,
    SPEECH_ORAL,
    PUBLIC_WELFARE,
    SELF_REPORT,
]
SELF_REPORT_CHOICES = [(code, ACTS[code][0]) for code in SELF_REPORTABLE]


def label(code: str) -> str:
    return ACTS.get(code, (code,))[0]


def default_category(code: str) -> str:
    return ACTS.get(code, ("", OTHER))[1]


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)


# The act credited for an adoption at each level (opinions.models.LEVELS).
OPINION_ADOPT_BY_LEVEL = {
    "county": OPINION_ADOPT,
    "city": OPINION_ADOPT_CITY,
    "province": OPINION_ADOPT_PROVINCE,
    "national": OPINION_ADOPT_NATIONAL,
}
