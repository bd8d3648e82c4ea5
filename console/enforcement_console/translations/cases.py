"""The cases area's messages and words: what the cases service (its catalogue, cases, publication, transfers,
inspections, draws and case-file review) says in English, in the county's Chinese (the glossary's terms), the words
for its codes, and every procedural check of a case with the article of the law it comes from."""

from __future__ import annotations

from enforcement_contracts.cases import followups

# --- the words for codes
CASE_TYPE = {
    "penalty": "行政处罚",
    "licensing": "行政许可",
    "levy": "行政征收征用",
    "confirmation": "行政确认",
    "benefit": "行政给付",
    "coercion": "行政强制",
    "inspection": "行政检查",
}
CASE_STATUS = {"filed": "已立案", "decided": "已作出决定", "closed": "已结案", "revoked": "决定已撤销"}
PENALTY_KIND = {
    "warning": "警告",
    "criticism": "通报批评",
    "fine": "罚款",
    "confiscate_income": "没收违法所得",
    "confiscate_property": "没收非法财物",
    "suspend_licence": "暂扣许可证件",
    "lower_qualification": "降低资质等级",
    "revoke_licence": "吊销许可证件",
    "restrict_business": "限制开展生产经营活动",
    "order_closure": "责令停产停业",
    "order_shutdown": "责令关闭",
    "restrict_practice": "限制从业",
    "detention": "行政拘留",
    "other": "其他",
}
LENIENT_LIST = {"lighter": "从轻处罚清单", "mitigated": "减轻处罚清单", "first_violation_exempt": "首违不罚清单"}
TIER = {"minor": "轻微", "general": "一般", "serious": "较重", "severe": "严重"}
TRANSFER_STATUS = {
    "proposed": "待负责人决定",
    "refused": "负责人决定不移送",
    "approved": "已批准，待移交",
    "handed_over": "已移交，待签收",
    "acknowledged": "已签收",
}
INSPECTION_KIND = {
    "routine": "日常检查",
    "double_random": "双随机抽查",
    "complaint": "投诉举报",
    "referral": "转办交办",
    "special": "专项检查",
}
REVIEW_GRADE = {"excellent": "优秀", "pass": "合格", "fail": "不合格"}
DEADLINE_KIND = {"decided": "作出决定", "served": "送达决定书", "published": "公示", "withdrawn": "撤回公示"}
# a case's records (issue 15): the kind catalogue's stages, and what follows a failing case file
RECORD_STAGE = {
    "filed": "立案",
    "investigated": "调查取证",
    "noticed": "告知",
    "heard": "听证",
    "reviewed": "法制审核",
    "decided": "决定",
    "served": "送达",
    "executed": "执行",
    "closed": "结案",
}
FOLLOWUP_KIND = {"correction": "错案纠正", "accountability": "过错责任追究"}
FOLLOWUP_STATE = {"opened": "待交办", "assigned": "已交办", "decided": "已作出处理决定", "closed": "已办结"}

LABELS: dict[str, dict[str, str]] = {
    "case_type": CASE_TYPE,
    "case_status": CASE_STATUS,
    "case_procedure": {"ordinary": "普通程序", "simplified": "简易程序（当场处罚）"},
    "party_kind": {"citizen": "公民", "organisation": "法人或其他组织"},
    "harm": {"none": "无", "life_health": "危害公民生命健康安全", "financial": "危害金融安全"},
    "penalty_kind": PENALTY_KIND,
    "lenient_list": LENIENT_LIST,
    "tier": TIER,
    "change_ground": {"agency": "本部门自行纠正", "reconsideration": "行政复议", "litigation": "行政诉讼"},
    "transfer_status": TRANSFER_STATUS,
    "inspection_kind": INSPECTION_KIND,
    "review_grade": REVIEW_GRADE,
    "checklist_section": {"basic": "基本项（一项不符即不合格）", "form": "形式（20 分）", "content": "内容（80 分）"},
    "deadline_kind": DEADLINE_KIND,
    "deadline_unit": {"days": "自然日", "workdays": "工作日", "hours": "小时"},
    "draw_state": {"planned": "已计划，待抽取", "drawn": "已抽取", "published": "已公示"},
    "check_status": {"failed": "不符合", "passed": "符合", "pending": "尚未到此环节"},
    "record_stage": RECORD_STAGE,
    "followup_kind": FOLLOWUP_KIND,
    "followup_state": FOLLOWUP_STATE,
    "correction_measure": followups.CORRECTION_MEASURES,
    "accountability_outcome": followups.ACCOUNTABILITY_OUTCOMES,
    "exemption_kind": followups.EXEMPTION_KINDS,
    "exemption_ground": followups.EXEMPTION_GROUNDS,
    "inspection_warning": {
        "repeated": "短期内重复检查",
        "high_frequency": "检查频次过高",
        "over_yearly_cap": "超过年度检查上限",
    },
}

# --- every procedural check of a case: (code, the rule in plain Chinese, its source, the stage it needs)
# ``code`` is the warning code the cases service records when the check fails; the stage is the case's date field
# from which the check can be judged (before it: 尚未到此环节). ``penalty``: only where the Administrative Penalty
# Law's procedure applies; ``publish``: only for types whose decisions are published.
CHECKS: list[dict] = [
    {
        "code": "officers",
        "rule": "由两名以上持有效行政执法证的执法人员办理",
        "source": "《行政处罚法》第四十二条",
        "stage": "filed_on",
        "scope": "all",
    },
    {
        "code": "limitation_expired",
        "rule": "违法行为在二年内被发现（涉及公民生命健康安全、金融安全且有危害后果的，五年）",
        "source": "《行政处罚法》第三十六条",
        "stage": "filed_on",
        "scope": "penalty",
    },
    {
        "code": "hearing_request_late",
        "rule": "当事人在被告知听证权利后五个工作日内提出听证申请",
        "source": "《行政处罚法》第六十四条第一项",
        "stage": "hearing_requested_on",
        "scope": "penalty",
    },
    {
        "code": "hearing_notice_short",
        "rule": "在举行听证的七个工作日前通知当事人听证的时间、地点",
        "source": "《行政处罚法》第六十四条第二项",
        "stage": "hearing_held_on",
        "scope": "penalty",
    },
    {
        "code": "hearing_not_held",
        "rule": "当事人依法申请听证的，在作出决定前举行听证（当事人撤回申请并已登记的除外）",
        "source": "《行政处罚法》第六十四条",
        "stage": "decided_on",
        "scope": "penalty",
        "needs": "hearing_requested_on",
    },
    {
        "code": "notice_missing",
        "rule": "作出决定前告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩、要求听证的权利",
        "source": "《行政处罚法》第四十四条",
        "stage": "decided_on",
        "scope": "penalty",
        "procedure": "ordinary",
    },
    {
        "code": "legal_review",
        "rule": "重大执法决定在作出前经法制审核通过，审核人员不是本案执法人员",
        "source": "《行政处罚法》第五十八条",
        "stage": "decided_on",
        "scope": "major",
    },
    {
        "code": "decision_late",
        "rule": "自立案之日起九十日内作出行政处罚决定（中止的期间不计算，依法延长的除外）",
        "source": "《行政处罚法》第六十条",
        "stage": "decided_on",
        "scope": "penalty",
        "procedure": "ordinary",
    },
    {
        "code": "extension_late",
        "rule": "延长办案期限在原期限届满前经行政机关负责人批准",
        "source": "《行政处罚法》第六十条",
        "stage": "decided_on",
        "scope": "penalty",
        "procedure": "ordinary",
    },
    {
        "code": "circumstance_missing",
        "rule": "有裁量基准的事项，决定写明适用的裁量情节档次",
        "source": "《行政处罚法》第三十四条",
        "stage": "decided_on",
        "scope": "penalty",
    },
    {
        "code": "outside_benchmark",
        "rule": "处罚种类和罚款数额在裁量基准规定的范围内",
        "source": "《行政处罚法》第三十四条",
        "stage": "decided_on",
        "scope": "penalty",
    },
    {
        "code": "lenient_not_listed",
        "rule": "适用从轻、减轻处罚或首违不罚的，该事项在本部门公布的清单内",
        "source": "《行政处罚法》第三十二条、第三十三条",
        "stage": "decided_on",
        "scope": "penalty",
    },
    {
        "code": "first_violation_penalised",
        "rule": "首违不罚清单内的初次轻微违法并及时改正的，不予行政处罚",
        "source": "《行政处罚法》第三十三条第一款",
        "stage": "decided_on",
        "scope": "penalty",
    },
    {
        "code": "service_late",
        "rule": "决定书在作出后七个工作日内送达当事人",
        "source": "《行政处罚法》第六十一条",
        "stage": "served_on",
        "scope": "penalty",
    },
    {
        "code": "publication_late",
        "rule": "行政处罚、行政许可决定在作出之日起七个工作日内公示",
        "source": "《行政处罚法》第四十八条；国办发〔2018〕118号",
        "stage": "published_on",
        "scope": "publish",
    },
    {
        "code": "withdrawal_late",
        "rule": "决定被变更、撤销或确认违法的，在三个工作日内撤回公示信息",
        "source": "《行政处罚法》第四十八条第二款；国办发〔2018〕118号",
        "stage": "publication_withdrawn_on",
        "scope": "publish",
        "after": "withdrawn",  # only once the decision was changed or revoked (its withdrawal deadline runs)
    },
    # a case's records (issue 15): only for the cases the records rules hold for ("records": the case's records
    # checks say so), i.e. filed on or after the county's CASES.records.required_from
    {
        "code": "recording_missing",
        "rule": "现场检查、行政强制、当场处罚等现场执法活动进行全过程音像记录",
        "source": "国办发〔2018〕118号（执法全过程记录制度）",
        "stage": "decided_on",
        "scope": "all",
        "records": "recording_required",
    },
    {
        "code": "documents_missing",
        "rule": "案卷文书齐全：本类案件必备的文书均已上传归档后方可结案",
        "source": "国办发〔2018〕118号（执法全过程记录制度）",
        "stage": "closed_on",
        "scope": "all",
        "records": "completeness_enforced",
    },
]

# --- the service's messages
# the document kinds of the first kind catalogue (cases_service/records/kinds.py, DOCUMENT_KINDS_V1): 缺少<name>
DOCUMENT_KINDS = {
    "filing_approval": "立案审批表",
    "inquiry_record": "询问/调查笔录",
    "inspection_record": "现场检查（勘验）笔录",
    "evidence_photo": "证据照片",
    "evidence_scan": "书证扫描件",
    "evidence_audio": "视听资料（音频）",
    "evidence_video": "视听资料（视频）",
    "investigation_report": "案件调查终结报告",
    "notice_of_rights": "行政处罚事先告知书",
    "hearing_notice": "听证通知书",
    "hearing_record": "听证笔录",
    "legal_review_opinion": "法制审核意见书",
    "collective_discussion": "集体讨论记录",
    "decision": "行政处理决定书",
    "service_receipt": "送达回证",
    "payment_receipt": "罚没款缴纳凭证",
    "closing_report": "结案报告",
    "recording": "执法记录仪音视频",
    "other": "其他文书",
}

EXACT: dict[str, str] = {
    # access (the service's scoping of agencies)
    "not allowed to change another agency's records": "不能修改其他部门的记录。",
    "not allowed to read another agency's records": "不能查看其他部门的记录。",
    "only the justice bureau may do this": "此操作只能由县司法局进行。",
    "this role cannot read agency records": "当前角色不能查看部门记录。",
    "this role cannot change records": "当前角色不能修改记录。",
    # catalogue
    "an enforcement item needs its legal basis (law, regulation or rule and article)": (
        "执法事项必须写明法律依据（法律、法规或规章名称及条款）"
    ),
    "the item was cancelled": "该执法事项已取消",
    "the item is already cancelled": "该执法事项已经取消过",
    "already cancelled": "已取消",
    "nothing changes": "没有要修改的内容",
    "give a new name, domain or legal_basis": "请填写新的事项名称、执法类别或法律依据",
    "a new version starts after the current one": "新版本的生效日期应晚于当前版本",
    "cancelled before the current version started": "取消日期早于当前版本的生效日期",
    "already exists": "已存在",
    "years must be positive": "年数应大于 0",
    # benchmarks and lists
    "a new benchmark version starts after the current one": "新的裁量基准生效日期应晚于当前版本",
    "discretion benchmarks grade penalties": "裁量基准只适用于行政处罚事项",
    "lenient lists hold penalty items": "从轻、减轻及首违不罚清单只列行政处罚事项",
    "not a penalty item": "不是行政处罚事项",
    "the item belongs to another agency": "该执法事项属于其他部门",
    "belongs to another agency": "属于其他部门",
    "the entry was already removed": "该清单事项已经移出",
    "already removed": "已移出",
    "already listed": "已在清单内",
    "removed before it took effect": "移出日期早于列入清单的生效日期",
    "cancelled": "已取消",
    # cases
    "an officer is listed twice": "同一执法人员填写了两次",
    "must not be in the future": "不能晚于今天",
    "suspension dates must not be in the future": "中止日期不能晚于今天",
    "a penalty case's decision names its penalty": "行政处罚案件的决定须写明处罚种类",
    "required for a penalty case (empty kinds: no penalty)": "行政处罚案件必填（不予处罚的，不选处罚种类）",
    "only penalty cases carry a penalty": "只有行政处罚案件才有处罚内容",
    "unknown circumstance tier": "裁量档次不在该事项的裁量基准内",
    "an organisation is identified by its credit code": "法人或其他组织以统一社会信用代码标识",
    "only for a citizen; give credit_code for an organisation": (
        "身份证号码只填公民的；法人或其他组织请填统一社会信用代码"
    ),
    "the item belongs to another agency's catalogue": "该执法事项属于其他部门的目录",
    "the item was not in force on the filing date": "立案之日该执法事项不在目录内",
    "already reported": "已报送过",
    "the officer is already on the case": "该执法人员已在本案中",
    "the decision was revoked; the case is closed to changes": "决定已撤销，案件不能再修改",
    "revoked": "决定已撤销",
    "nothing to record": "没有要登记的内容",
    "give at least one stage, suspension, extension or officer": "请至少填写一个环节日期、中止、延长或执法人员",
    "this suspension is already recorded": "该中止已经登记过",
    "already recorded": "已登记过",
    "already decided": "已作出决定",
    "must lie between 立案 and today": "应在立案之日与今天之间",
    # legal review (法制审核)
    "the case is already decided; a review comes before the decision": "案件已作出决定；法制审核应在作出决定之前",
    "not a registered legal reviewer of the case's agency": "不是本部门登记的法制审核人员",
    "the reviewer belongs to another agency": "审核人员属于其他部门（也不在县级法制审核人员库内）",
    "the reviewer does not hold the legal professional qualification (法律职业资格)": "审核人员未取得法律职业资格",
    "the reviewer is an officer on this case": "审核人员是本案的执法人员，不能审核本案",
    "a major decision (重大执法决定) needs a passed legal review (法制审核) before it is decided": (
        "列入重大执法决定法制审核目录的决定，须经法制审核通过后才能作出（《行政处罚法》第五十八条；"
        "国办发〔2018〕118号）"
    ),
    # publication (公示)
    "publication date out of range": "公示日期应在作出决定之日与今天之间",
    "the case is not decided yet": "案件尚未作出决定",
    "not decided": "尚未作出决定",
    "the decision is already published": "该决定已经公示",
    "already published": "已公示",
    "the decision is already revoked": "该决定已经撤销",
    "the decision was revoked": "该决定已撤销",
    "record the change or revocation of the decision first": "请先登记决定的变更或撤销，再撤回公示",
    "decision unchanged": "决定未变更或撤销",
    "no publication to withdraw": "没有可撤回的公示",
    "not published": "尚未公示",
    "type not published": "该类决定不公示",
    "date out of range": "日期超出允许的范围",
    "time out of range": "时间超出允许的范围",
    # transfers (案件移送)
    "a case is transferred to another agency": "案件应移送给其他部门",
    "the case's own agency": "不能移送给本部门",
    "the case already has a transfer under way": "该案件已有正在办理的移送",
    "transfer under way": "已有正在办理的移送",
    "the transfer is already decided": "该移送已由负责人作出决定",
    "only an approved transfer is handed over": "只有负责人批准的移送才能移交",
    "not approved": "负责人未批准",
    "the case is already handed over": "案件已经移交",
    "already handed over": "已移交",
    "nothing was handed over yet": "尚未移交，不能签收",
    "not handed over": "尚未移交",
    "already acknowledged": "已签收",
    "must lie between the proposal and today": "应在提出移送之日与今天之间",
    "must lie between the decision and now": "应在负责人决定之后、现在之前",
    "must lie between the hand-over and today": "应在移交之日与今天之间",
    "the hand-over cannot precede the decision": "移交不能早于负责人决定",
    # inspections and draws (涉企行政检查, 双随机)
    "a credit code is listed twice": "同一统一社会信用代码填写了两次",
    "the directory is empty": "检查对象名录库为空",
    "upload the directory of inspection targets first": "请先上传检查对象名录库",
    "not enough certified inspectors": "持证检查人员不足",
    "the draw is already published": "该抽查结果已经公示",
    "must lie between the draw and today": "应在抽取之日与今天之间",
    "not a draw of this agency": "不是本部门的抽查",
    "not a target of that draw": "不是该次抽查抽中的检查对象",
    # case-file review (案卷评查)
    "invalid checklist": "评查标准有误",
    "item codes must be unique": "评查项目编号不能重复",
    "at least one basic item (a failed one fails the file)": "至少要有一项基本项（基本项不符即为不合格）",
    "basic items pass or fail: they carry no points": "基本项只判断符合与否，不设分值",
    "no review checklist in force": "没有正在执行的评查标准",
    "only the bureau and the file's reviewer read a review file": "只有县司法局和该案卷的评查人员可以查看评查案卷",
    "file a checklist first": "请先制定评查标准",
    "no closed case matches": "没有符合条件的已结案案件",
    "no case closed in the period matches": "该期间内没有符合条件的已结案案件",
    "assign a reviewer first": "请先指定评查人员",
    "no reviewer": "尚未指定评查人员",
    "the file is already scored": "该案卷已经评分",
    "already scored": "已评分",
    "the reviewer belongs to the case's own agency": "评查人员属于被评查案件的部门，应当回避",
    # imports
    "the sheet has no case rows": "表格中没有案件行",
    "no rows below the header": "表头下面没有数据行",
    "the file is not valid base64": "文件内容有误",
    "not valid base64": "文件内容有误",
    # warnings recorded on a case (the details of a failed check)
    "a hearing requested in time was not held before the decision (art. 64)": (
        "当事人按期申请了听证，但作出决定前未举行听证"
    ),
    "no notice (告知) of the facts, reasons and rights before the decision (art. 44)": (
        "作出决定前未告知当事人拟作出处罚的事实、理由、依据及其权利"
    ),
    "a first minor violation of an item on the 首违不罚 list was penalised (art. 33)": (
        "首违不罚清单内的初次轻微违法仍被给予了处罚"
    ),
    "the item is not on the agency's lighter list": "该事项不在本部门的从轻处罚清单内",
    "the item is not on the agency's mitigated list": "该事项不在本部门的减轻处罚清单内",
    "the item is not on the agency's first_violation_exempt list": "该事项不在本部门的首违不罚清单内",
    # the contract's own checks (marshmallow validators of the cases schemas)
    "must not be before from": "不能早于开始日期",
    "must not be before closed_from": "不能早于开始日期",
    "must not be before fine_min": "不能低于罚款下限",
    "must not be below fine_min": "罚款上限不能低于下限",
    "must not be blank": "不能为空",
    "must be a lower-case code like penalty": "执法类型代码有误",
    "must be a lower-case code like market_supervision": "执法类别代码有误",
    "must be a lower-case code like minor": "档次代码有误",
    "must be a lower-case code like legal_basis": "评查项目代码有误",
    "must be 1-40 letters, digits, '.', '_' or '-'": "只能是 1 至 40 个字母、数字、点、下划线或横线",
    "must be between 0 and 100000000000": "金额应在 0 至 1000 亿元之间",
    "a fine needs its amount": "选了罚款，请填写罚款金额",
    "an amount needs the kind 'fine'": "填写了罚款金额，请在处罚种类中选“罚款”",
    "a tier that allows a fine gives its range": "允许罚款的档次须填写罚款下限和上限",
    "tier codes must be unique": "档次不能重复",
    "give exactly one of item_id, penalty_kind, fine_from": "事项、处罚种类、罚款起点三者填且只填一项",
    # the gateway's answers on this area's routes
    "not found": "记录不存在",
    # issue 12: a blocking hearing, legal review by the county pool, draws planned then executed, withdrawals
    "a hearing requested in time was not held before the decision (art. 64); record the hearing, or the "
    "party's withdrawal of the request": (
        "当事人按期申请了听证，作出决定前须举行听证（《行政处罚法》第六十四条）；请先登记听证，或登记当事人撤回听证申请"
    ),
    "the hearing was held; a held hearing is not withdrawn": "已经举行听证，不能再登记撤回听证申请",
    "say who withdrew the hearing request (party or agent)": "请选择撤回听证申请的是当事人还是委托代理人",
    "give the day the hearing request was withdrawn": "请填写撤回听证申请的日期",
    "a first legal review needs the legal professional qualification (法律职业资格, art. 58); the reviewer "
    "holds none and has not reviewed before": (
        "初次从事法制审核的人员应当取得法律职业资格（《行政处罚法》第五十八条）；该审核人员没有法律职业资格，"
        "也没有审核经历"
    ),
    "not a registered legal reviewer of the case's agency or of the county's reviewer pool": (
        "不是本部门或县级法制审核人员库中登记的法制审核人员"
    ),
    "the draw is already made": "该次抽查已经抽取，不能重复抽取",
    "already drawn": "已经抽取",
    "the draw is not made yet": "该次抽查尚未抽取",
    "not drawn yet": "尚未抽取",
    "make the draw before publishing it": "请先执行抽取，再公示结果",
    "the batch is already drawn": "该评查批次已经抽取，不能重复抽取",
    "the batch is not drawn yet": "该评查批次尚未抽取",
    "the server makes the seed and publishes its hash before the draw; a seed may not be supplied": (
        "随机种子由系统生成，并在抽取前公布其摘要，不能自行提供"
    ),
    "give exactly one of item_id, penalty_kind, fine_from, type_code, circumstance": (
        "执法事项、处罚种类、罚款起点、执法类型、裁量档次五者填且只填一项"
    ),
    # a case's records (issue 15): whole-process recordings, the hash chain, completeness
    "give either document_id or recorder_reference, not both or neither": (
        "已上传的音视频文书与执法记录仪系统编号须填且只填一项"
    ),
    "must be after started_at": "结束时间须晚于开始时间",
    "must have a time zone if started_at has one, and none if not": "结束时间与开始时间须同样带或不带时区",
    "must be a lower-case code like service_receipt": "须为小写英文代码",
    "must be a SHA-256 in lower-case hex (64 characters)": "须为 64 位小写十六进制的哈希值",
    "the officer is not one of the case's officers": "该执法人员不是本案的执法人员",
    "not one of the case's officers": "不是本案的执法人员",
    "the document is not one of this case's": "该文书不属于本案",
    "the document is not a recording": "该文书不是执法记录仪音视频",
    "the document is already registered as a recording": "该音视频已登记为执法全过程记录",
    "this recorder's recording starting at that time is already registered": "该执法记录仪同一开始时间的记录已经登记",
    "already registered for this device": "该执法记录仪同一开始时间的记录已经登记",
    "no whole-process recording (执法全过程记录) is registered for an on-the-spot penalty (简易程序, art. 51)": (
        "简易程序当场处罚未登记执法全过程记录"
    ),
    "no whole-process recording (执法全过程记录) is registered for an on-site inspection (行政检查)": (
        "现场检查未登记执法全过程记录"
    ),
    "no whole-process recording (执法全过程记录) is registered for administrative coercion (行政强制)": (
        "行政强制未登记执法全过程记录"
    ),
    **{f"missing document {code}": f"缺少{name}" for code, name in DOCUMENT_KINDS.items()},
    # case documents: uploads and downloads
    "the file is empty: send it as the request body": "文件是空的，请选择要上传的文件",
    "the chunk is not valid base64": "上传的文件已损坏，请重新上传",
    "the chunk is too large": "上传的分块过大，请重新上传",
    "invalid chunk number": "上传的分块编号有误，请重新上传",
    "must be a whole number from 0": "应为不小于 0 的整数",
    "offset past the end": "读取位置超出文件末尾",
    # corrections and accountability (错案纠正与责任追究)
    "a correction records what was corrected": "错案纠正须选择纠正措施",
    "a correction decides no officer: accountability does": (
        "错案纠正不对执法人员作出处理，对执法人员的处理在过错责任追究中作出"
    ),
    "an accountability record decides per officer, not a measure": "过错责任追究按执法人员逐人作出处理，不选纠正措施",
    "give either an outcome or an exemption": "每名执法人员须选择处理结果或免责情形，二者选一",
    "must not be after today": "不能晚于今天",
}

# the media types a document kind accepts, as a clerk knows them (an unknown one is shown as it is)
MEDIA_NAMES = {
    "application/pdf": "PDF 文件",
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "audio/mpeg": "MP3 音频",
    "audio/mp4": "M4A 音频",
    "audio/wav": "WAV 音频",
    "video/mp4": "MP4 视频",
    "video/quicktime": "MOV 视频",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档（.docx）",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格（.xlsx）",
    "application/ofd": "OFD 版式文件",
    "application/zip": "ZIP 压缩包",
    "an unnamed type": "未注明的格式",  # no Content-Type sent
}


def _media_refusal(allowed: str, sent: str) -> str:
    names = "、".join(MEDIA_NAMES.get(t.strip(), t.strip()) for t in allowed.split(","))
    return f"该类文书只接受以下格式的文件：{names}（所选文件为 {MEDIA_NAMES.get(sent.strip(), sent.strip())}）"


PATTERNS: list = [
    # refusals that name their first problem: the form shows every problem beside its field
    (r"^the case was refused: .*$", "案件未能保存，请按标出的提示修改。"),
    (r"^the review was refused: .*$", "法制审核未能登记，请按标出的提示修改。"),
    (r"^the inspection was refused: .*$", "检查记录未能保存，请按标出的提示修改。"),
    (r"^assignment refused: .*$", "评查人员未能指定，请按标出的提示修改。"),
    (r"^\d+ of \d+ rows were refused; nothing was imported$", "有行未通过检查，全部未导入。"),
    # not found
    (r"^case \S+ not found$", "案件不存在。"),
    (r"^item \S+ not found$", "执法事项不存在。"),
    (r"^published decision \S+ not found$", "该执法决定未公示或已撤回。"),
    (r"^transfer \S+ not found$", "移送记录不存在。"),
    (r"^draw \S+ not found$", "抽查记录不存在。"),
    (r"^review batch \S+ not found$", "评查批次不存在。"),
    (r"^review file \S+ not found$", "评查案卷不存在。"),
    (r"^lenient-list entry \S+ not found$", "清单事项不存在。"),
    (r"^major-decision rule \S+ not found$", "重大执法决定目录条目不存在。"),
    (r"^entry \S+ not found$", "清单事项不存在。"),
    (r"^rule \S+ not found$", "目录条目不存在。"),
    (r"^unknown item (\S+)$", "执法事项不存在"),
    (r"^unknown agency (\S+)$", "部门 \\1 不存在"),
    (r"^unknown enforcement type (\S+)$", "执法类型 \\1 不存在"),
    (r"^unknown type; one of (.*)$", "执法类型不存在（可选：\\1）"),
    # conflicts and field messages with values
    (r"^item (\S+) already exists in this agency's catalogue$", "本部门目录中已有编号为 \\1 的事项"),
    (r"^the item is already on the (\w+) list$", "该事项已在这份清单内"),
    (r"^must be after (\d{4}-\d{2}-\d{2})$", "应晚于 \\1"),
    (r"^must be after the current version's start \((\d{4}-\d{2}-\d{2})\)$", "应晚于当前版本的生效日期 \\1"),
    (r"^case (.+) is already reported$", "案件 \\1 已经报送过"),
    (r"^the case was decided on (\S+)$", "案件已于 \\1 作出决定"),
    (r"^(\w+) is already recorded \((\S+)\)$", "该环节已于 \\2 登记，不能再改"),
    (r"^(\S+) already on the case$", "该执法人员已在本案中"),
    (r"^(\d{4}-\d{2}-\d{2}) already recorded$", "\\1 的中止已经登记过"),
    (r"^not a tier of the benchmark in force \((.*)\)$", "不是现行裁量基准中的档次"),
    (r"^not for a (.+) case$", "\\1案件不填处罚内容"),
    (r"^not in the catalogue on (\S+)$", "\\1 该事项不在目录内"),
    (r"^(.+) decisions are not published$", "\\1决定不需要公示"),
    (r"^must lie between the decision \((\S+)\) and today$", "应在作出决定之日（\\1）与今天之间"),
    (r"^must lie between the change \((\S+)\) and today$", "应在决定变更或撤销之日（\\1）与今天之间"),
    (r"^must not be before (\w+) \((\S+)\)$", "不能早于前一环节的日期 \\2"),
    (r"^needs (\w+) first$", "请先登记前一环节"),
    (r"^published decision (\S+) was revoked$", "该执法决定已撤销，不再公示"),
    (r"^the withdrawal is already recorded as by the party$", "已登记为当事人撤回听证申请"),
    (r"^the withdrawal is already recorded as by the agent$", "已登记为委托代理人撤回听证申请"),
    (r"^the withdrawal is already recorded as by the (\S+)$", "撤回听证申请已经登记过"),
    (r"^suspension on (\S+) is before 立案$", "中止日期 \\1 早于立案"),
    (r"^resumed_on (\S+) is before suspended_on$", "恢复日期 \\1 早于中止日期"),
    (r"^suspension on (\S+) is not before the decision$", "中止日期 \\1 不早于作出决定之日"),
    (r"^approved_on (\S+) must lie between 立案 and today$", "批准日期 \\1 应在立案之日与今天之间"),
    (
        r"^at least (\d+) certified officers must handle a case \(art\. 42\); (\d+) given$",
        "案件须由至少 \\1 名持证执法人员办理（《行政处罚法》第四十二条），现只有 \\2 名",
    ),
    (
        r"^the on-the-spot procedure allows only a warning or a fine, not (.+)$",
        "简易程序（当场处罚）只能给予警告或罚款",
    ),
    (
        r"^the on-the-spot procedure allows a fine of at most (\S+) yuan for (.+); (\S+) given$",
        "简易程序（当场处罚）罚款不能超过 \\1 元（《行政处罚法》第五十一条）",
    ),
    (
        r"^not detected within (\d+) years: no penalty may be given \(art\. 36\)$",
        "违法行为 \\1 年内未被发现，不再给予行政处罚（《行政处罚法》第三十六条）",
    ),
    # officers as the personnel service answers for them
    # an unknown officer and another agency's get the same answer (nothing about the other agency is told)
    (r"^officer (\S+) not found in the acting agency$", "本部门执法人员中没有编号为 \\1 的人员"),
    (
        r"^officer (.+) \((\w+)\) had left the enforcement post on (\S+) and cannot act on (\S+)$",
        "执法人员“\\1”已于 \\3 离岗，不能在 \\4 办案",
    ),
    (
        r"^officer (.+) \((\w+)\) may not enforce (\S+) on (\S+): (?:no certificate.*|officer holds no .*)$",
        "执法人员“\\1”在 \\4 没有有效的行政执法证",
    ),
    (
        r"^officer (.+) \((\w+)\) may not enforce (\S+) on (\S+): certificate is (\w+) \((.+)\)$",
        "执法人员“\\1”的执法证处于\\6状态，不能执法",
    ),
    (
        r"^officer (.+) \((\w+)\) may not enforce (\S+) on (\S+): certificate expired on (\S+)$",
        "执法人员“\\1”的执法证已于 \\5 过期",
    ),
    (
        r"^officer (.+) \((\w+)\) may not enforce (\S+) on (\S+): certificate does not cover .*$",
        "执法人员“\\1”的执法证不包含该执法类别",
    ),
    (
        r"^officer (.+) \((\w+)\) may not enforce (\S+) on (\S+): the enforcement domain .* is not one of the "
        r"police bureau's domains$",
        "“\\1”是人民警察，该执法类别不属于公安机关的执法类别，不能凭人民警察证执法",
    ),
    (
        r"^officer (.+) \((\w+)\) may not enforce (\S+) on (\S+): the police officer has no police card number on "
        r"record$",
        "“\\1”是人民警察，尚未登记人民警察证号",
    ),
    (
        r"^officer (.+) \((\w+)\) may not enforce (\S+) on (\S+): the police officer took up the post on (\S+), "
        r"after that date$",
        "“\\1”是人民警察，\\5 才到岗，不能在 \\4 执法",
    ),
    (
        r"^officer (.+) \((\w+)\) may not enforce (\S+) on (\S+): the (?:police )?officer left the post on (\S+)$",
        "执法人员“\\1”已于 \\5 离岗，不能在 \\4 执法",
    ),
    (r"^officer (.+) \((\w+)\) may not enforce (\S+) on (\S+): .*$", "执法人员“\\1”在 \\4 不能从事该类执法"),
    # inspections and draws
    (r"^(\S+) listed twice$", "\\1 填写了两次"),
    (
        r"^at least (\d+) certified inspectors are needed; (\d+) available$",
        "至少需要 \\1 名持证检查人员，现只有 \\2 名",
    ),
    (
        r"^the agency already inspected this enterprise (\d+) times in (\d+); the yearly cap is (\d+)"
        r"(?: \(complaints and referrals are exempt\))?$",
        "本部门 \\2 年已检查该企业 \\1 次，达到年度上限 \\3 次（投诉举报、转办交办的检查除外）",
    ),
    (
        r"^the agency already inspected this enterprise (\d+) times in (\d+); the yearly cap is (\d+); "
        r"recorded as a (\w+) inspection$",
        "本部门 \\2 年已检查该企业 \\1 次，超过年度上限 \\3 次（因投诉举报或转办交办仍予登记）",
    ),
    (
        r"^the same agency inspected this enterprise on (\S+), within (\d+) days$",
        "本部门已于 \\1 检查过该企业（\\2 日内重复检查）",
    ),
    (
        r"^inspection number (\d+) of this enterprise in (\d+) by all agencies \(warned from (\d+)\); .*$",
        "这是 \\2 年各部门对该企业的第 \\1 次检查（\\3 次起预警），建议开展联合检查",
    ),
    # case-file review
    (r"^file (\S+) is not in this batch$", "案卷不在本批次中"),
    (r"^file (\S+) is already scored$", "案卷已经评分"),
    (r"^reviewer (\S+) is not an active registered officer$", "评查人员不是在岗的登记执法人员"),
    (
        r"^file (\S+): the reviewer belongs to the case's own agency \((\S+)\)$",
        "评查人员属于被评查案件的部门，应当回避",
    ),
    (r"^(\w+) is not a basic item of the checklist$", "“\\1”不是评查标准中的基本项"),
    (r"^(\w+) is not a form or content item of the checklist$", "“\\1”不是评查标准中的形式或内容项"),
    (r"^(\w+) deducts at most (\d+) points$", "该项最多扣 \\2 分"),
    # checklist items naming their documents (issue 15.5)
    (r"^(\w+): (\w+) is not a kind of the document-kind catalogue$", "“\\1”所列的“\\2”不是文书种类目录中的种类"),
    (r"^one item at most carries per_missing_document: (.+)$", "只能有一项设置缺少文书的扣分（现有：\\1）"),
    (
        r"^(\w+): a basic item passes or fails, it cannot carry per_missing_document$",
        "“\\1”是基本项，只判断符合与否，不能设置缺少文书的扣分",
    ),
    (r"^(\w+): per_missing_document is more than the item's (\d+) points$", "“\\1”每缺一件文书的扣分超过该项的 \\2 分"),
    (r"^(\w+) items add up to (\d+) points; they must add up to (\d+)$", "该部分各项合计 \\2 分，应为 \\3 分"),
    # warnings recorded on a case (the detail under a failed check)
    (
        r"^decided (\d+) days after 立案 \(suspensions excluded\); due by (\S+) \(art\. 60\)$",
        "立案后第 \\1 日才作出决定（中止期间不计）；应在 \\2 前作出",
    ),
    (
        r"^published (\d+) working days after the decision; due within (\d+) \(.*\)$",
        "作出决定后第 \\1 个工作日才公示；应在 \\2 个工作日内公示",
    ),
    (
        r"^withdrawn (\d+) working days after the change; due within (\d+) \(.*\)$",
        "决定变更或撤销后第 \\1 个工作日才撤回公示；应在 \\2 个工作日内撤回",
    ),
    (
        r"^served (\d+) working days after the decision; the law allows (\d+) \(art\. 61\)$",
        "作出决定后第 \\1 个工作日才送达；应在 \\2 个工作日内送达",
    ),
    (
        r"^requested more than (\d+) working days after the notice \(art\. 64\): the agency need not hold a hearing$",
        "当事人在告知后超过 \\1 个工作日才申请听证，可以不组织听证",
    ),
    (
        r"^the hearing notice came less than (\d+) working days before the hearing \(art\. 64\)$",
        "听证通知距举行听证不足 \\1 个工作日",
    ),
    (r"^extension approved on (\S+), after the deadline had passed$", "延长期限的批准（\\1）晚于原办案期限"),
    (
        r"^not detected within (\d+) years \(art\. 36\): no penalty may follow$",
        "违法行为 \\1 年内未被发现，不能再给予行政处罚",
    ),
    (
        r"^the benchmark has tiers; name the circumstance tier applied \((.*)\)$",
        "该事项有裁量基准，决定应写明适用的裁量档次",
    ),
    (r"^(.+) not allowed for tier (\S+) \((.+)\)$", "所选处罚种类超出“\\3”档次允许的范围"),
    (r"^fine (\S+) below the tier's minimum (\S+)$", "罚款 \\1 元低于该档次下限 \\2 元"),
    (r"^fine (\S+) above the tier's maximum (\S+)$", "罚款 \\1 元高于该档次上限 \\2 元"),
    # a case's records (issue 15)
    (r"^no whole-process recording \(执法全过程记录\) is registered for .+$", "未登记执法全过程记录"),
    (r"^missing document (\w+)$", "缺少必备文书（\\1）"),
    (r"^the case cannot close while required documents are missing: .+$", "案件缺少必备文书，不能结案"),
    (r"^is of kind (\S+), not (\S+)$", "该文书不是执法记录仪音视频"),
    (r"^(\S+) is not a document of the case$", "该文书不属于本案"),
    (r"^unknown chain entry type (\S+)$", "未知的案卷记录类型"),
    (r"^a (\w+) \((.+)\) belongs to the stages (.+)$", "\\2不能归入所选的办案环节"),
    (r"^a (\w+) is one of (.+), not (.+)$", lambda m: _media_refusal(m.group(2), m.group(3))),
    (
        r"^larger than the (.+) limit of a (\w+) \(max_bytes (\d+)\)$",
        "文件超过该类文书的大小上限 \\1（\\3 字节）",
    ),
    (r"^a chunk is at most (\d+) bytes$", "每个分块不能超过 \\1 字节"),
    (r"^chunk (\S+) comes next, not (\S+)$", "上传的分块顺序有误，请重新上传"),
    (r"^expected (\S+)$", "应为第 \\1 块"),
    (r"^not an upload id: (.+)$", "上传编号有误，请重新上传"),
    (r"^not a SHA-256 in hex: (.+)$", "文件摘要有误"),
    (r"^the bytes of upload (\S+) are gone: upload the file again$", "上传未完成的文件已被清理，请重新上传"),
    (r"^invalid (\w+)$", "读取位置有误"),
    (r"^the file has (\S+) bytes$", "文件共 \\1 字节"),
    (
        r"^the file of document (\S+) is missing from the store$",
        "该文书的文件已不在存储中，请联系县司法局信息化管理员核验",
    ),
    (r"^follow-up (\S+) not found$", "错案纠正或责任追究记录不存在。"),
    (r"^officers concerned not decided: (.+)$", "以下涉及的执法人员尚未作出处理：\\1"),
    (r"^not officers concerned by this record: (.+)$", "以下人员不是本记录涉及的执法人员：\\1"),
    (r"^decided more than once: (.+)$", "以下执法人员重复作出处理：\\1"),
    (r"^CASES\.followups\.(\w+) must not be negative$", "错案纠正与责任追究的期限设置不能为负数"),
    # the gateway's own answers
    (r"^(\w+) (\S+) not found$", "记录不存在。"),
]
