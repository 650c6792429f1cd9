"""Per-organisation settings of consultation (core.orgsettings)."""

from zhengxie.core import orgsettings

orgsettings.register("consultation.comment_max_chars", 1000, "网络议政：每条留言最多字数")
orgsettings.register(
    "consultation.comment_credit_cap", 3, "网络议政：每个议题计入履职的留言条数上限（防止以量代质）"
)
orgsettings.register("consultation.public_rate_per_hour", 10, "网络议政：每个地址每小时可提交的群众留言条数")
orgsettings.register("consultation.vote_quorum_percent", 50, "成果票评：参加投票的常委须超过该比例方为有效")
