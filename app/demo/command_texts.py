"""Phrases of the demo's command instruments: 批示, 督办 requirements, answers and checks, 包案, visits, 销案,
提级 and the default automatic 督办 rules. ``{dept}`` is the lead department, ``{partner}`` the other one."""

from models.command import RuleTrigger
from models.command import SupervisionLevel

INSTRUCTIONS = (
    "请{dept}高度重视，迅速核实情况，依法依规妥善处理，并将办理结果及时报我。",
    "此事关系群众切身利益，请{dept}主要负责同志亲自过问，限期解决，注意做好解释疏导工作。",
    "群众反映的问题属实的要立行立改；一时难以解决的，要制定方案、明确时限，向群众讲清楚。请{dept}落实。",
    "请{dept}举一反三，排查同类问题，建立长效机制，办理情况报区群众诉求服务中心。",
    "请{dept}抓紧办理，切实回应群众关切，办结后将结果报我。",
)
GROUP_INSTRUCTION = "涉及人数较多，请{dept}做好稳控化解工作，依法保障群众合法权益，重要情况随时报告。"
JOINT_INSTRUCTIONS = (
    "请{dept}牵头、{partner}配合，联合处置，切实解决群众诉求，防止矛盾激化。",
    "请{dept}会同{partner}现场会商，明确各自职责，限期解决到位，结果报我。",
)
SUPERVISIONS = {
    SupervisionLevel.GENERAL: (
        "该诉求办理进度滞后，请{dept}加快办理，于期限内反馈办理情况。",
        "请{dept}对照群众诉求逐项核实，按时答复，并将落实情况报区督查室。",
        "群众多次来电催办，请{dept}尽快联系诉求人，说明办理进展。",
    ),
    SupervisionLevel.KEY: (
        "该诉求群众反复反映、办理进展缓慢，列为重点督办。请{dept}主要负责同志亲自督促，限期办结并书面反馈。",
        "前次督办未见实效，现升级为重点督办。请{dept}制定整改方案，明确责任人和完成时限。",
    ),
    SupervisionLevel.LISTED: (
        "该诉求涉及群众切身利益、社会关注度高，实行挂牌督办。请{dept}制定化解方案，明确责任人和时间表，"
        "办结前每3个工作日报告一次进展。",
        "挂牌督办：请{dept}会同相关单位集中攻坚，彻底解决问题，办结后报区委区政府督查室验收。",
    ),
}
ANSWERS = (
    "已按要求组织人员现场核查，问题已基本解决，已向诉求人反馈。",
    "已约谈相关责任单位，责令限期整改，目前整改完成约七成，预计本周内全部完成。",
    "已会同社区工作站现场处置，问题已解决，附现场照片。",
    "已召开专题会议研究，明确责任人和完成时限，已与诉求人电话沟通并取得理解。",
    "经核查情况属实，已依法立案查处，后续处理结果将及时报告。",
    "已安排专人跟进，完成整改并经诉求人现场确认。",
)
SECOND_ANSWERS = (
    "按退回意见补充：已补充现场整改照片及诉求人签字确认材料。",
    "按退回意见补充：已明确整改时限和责任人，并再次联系诉求人确认办理结果。",
    "重新核实后补充报告：问题已于本周全部整改到位，诉求人表示认可。",
)
RETURNS = (
    "答复过于笼统，未说明具体整改措施和时限，请补充。",
    "未附现场核查照片及诉求人意见，请补充后重新报送。",
    "落实情况与诉求人反映不一致，请重新核实。",
)
ACCEPT_NOTES = ("同意，办结。", "落实到位，予以认可。", "", "已核实，同意。")

PACKAGE_NOTES = ("红色件，按规定由领导包案化解。", "重点诉求，实行领导包案，一包到底。", "")
SELF_PACKAGE_NOTE = "本人包案，亲自督促化解。"
VISIT_PLACES = {
    "receive": ("区群众诉求服务中心接待室", "{street}综治中心接待室", "{street}党群服务中心"),
    "go_out": ("{community}现场", "{community}党群服务中心", "{street}{community}诉求人家中"),
}
MET_WITH = ("诉求人本人", "诉求人及家属", "诉求人及社区网格员")
GROUP_MET_WITH = "诉求人及3名群众代表"
VISIT_OUTCOMES = (
    "当面听取诉求，明确由{dept}牵头限期解决。",
    "现场协调，当场明确整改方案和时间表，诉求人表示认可。",
    "耐心解释相关政策，诉求人表示理解，同意按程序办理。",
    "召集相关单位现场办公，问题当场解决。",
)
SETTLEMENTS = (
    "问题已彻底解决，经回访诉求人认可，予以销案。",
    "整改已全部完成并经现场验收，群众认可，予以销案。",
    "经包案领导跟踪督办，诉求事项已办结，诉求人无异议，予以销案。",
)
DISPUTE_SETTLEMENTS = (
    "经包案领导多次协调，双方达成一致，诉求人表示满意，同意销案。",
    "已签订调解协议，款项已全部支付到位，予以销案。",
)
AGREEMENTS = ("责任单位承诺一个月内不再发生同类问题，并接受回访。", "")
DISPUTE_AGREEMENTS = ("双方签订《人民调解协议书》，约定分两期支付。", "双方签订和解协议，约定限期履行。")
RAISE_REASONS = {
    "street": ("涉及多个部门职责，需街道统筹协调。", "社区层面难以化解，提级由街道办理。"),
    "district": ("涉及人数多、跨部门，需区领导统筹协调。", "街道层面协调未果，提级由区级办理。"),
}
LOWER_REASON = "责任部门已明确，问题可由部门自行解决，恢复部门办理。"
DRAFT = {
    "outcome": "supported",
    "text": "经核查，已协调相关单位制定整改方案，拟于本月内整改完毕，届时将再次回访。",
}

# name, trigger, N, level, requirement, working days to answer
RULES = (
    ("红色件超时未签收 一般督办", RuleTrigger.RED_NOT_SIGNED, None, SupervisionLevel.GENERAL,
     "红色件超过签收时限仍未签收，请立即签收并按红色件要求办理。", 1),
    ("同一诉求第三次来件 重点督办", RuleTrigger.REPEAT, 3, SupervisionLevel.KEY,
     "该诉求已是第三次反映，请主要负责同志亲自过问，彻底解决并书面反馈。", 3),
    ("敏感件 一般督办", RuleTrigger.SENSITIVE, None, SupervisionLevel.GENERAL,
     "敏感件，请严格按敏感件要求办理，注意信息保密，按时反馈。", 2),
    ("超期5个工作日以上 重点督办", RuleTrigger.OVERDUE_DAYS, 5, SupervisionLevel.KEY,
     "该诉求已超期5个工作日以上，请立即办结并书面说明超期原因。", 2),
)  # fmt: skip
