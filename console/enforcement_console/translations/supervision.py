"""The supervision area's messages and words: supervision items (监督事项), complaints (投诉举报), bulletins (通报), the
yearly assessment (评议考核) and the yearly statistics report (统计年报), in the county's terms.

``console/tests/test_translations_supervision.py`` finds every message literal of the supervision service, its
contracts and its gateway routes and fails when one has no Chinese here.
"""

from __future__ import annotations

EXACT = {
    # --- agencies, access ---
    "no such agency": "没有这个执法部门",
    "not your agency": "只能处理本部门的事项",
    "not allowed to read another agency's records": "不能查看其他执法部门的记录。",
    "not allowed to change another agency's records": "不能修改其他执法部门的记录。",
    "this role cannot read agency records": "您的角色不能查看执法部门的记录。",
    "only the justice bureau may do this": "此操作只能由县司法局进行。",
    # --- items ---
    "no such complaint": "没有这件投诉举报",
    "the complaint is about another agency": "该投诉举报涉及的是另一个执法部门，请核对。",
    # --- complaints ---
    "must be a phone number or an e-mail address": "应为电话号码或电子邮箱",
    "the complaint was already extended once": "该投诉举报已经延期过一次，不能再次延期。",
    "only one extension": "只能延期一次",
    "has passed": "期限已过",
    "must be the receipt number as given, like 7KQ4-M9XP-2HTW": "应为受理时给出的查询码，如 7KQ4-M9XP-2HTW",
    "no complaint has this receipt number": "没有找到这个查询码对应的投诉举报，请核对后重新输入。",
    # --- bulletins ---
    "a bulletin covers a period that has ended": "通报只能针对已经结束的期间。",
    "must not be in the future": "不能晚于今天",
    "already published": "该期间的通报已经发布过",
    # --- assessment, report, filings, surveys ---
    "an officer reads their own records, not the agency's report": "执法人员只能查看本人档案，不能查看部门统计年报。",
    "only the bureau and agency admins see report filings": "只有县司法局和部门管理员可以查看年报报送情况。",
    "only the bureau and agency admins file the yearly report": "只有县司法局和部门管理员可以报送统计年报。",
    "an agency files its own report": "部门只能报送本部门的统计年报。",
    "already filed": "已经报送过",
    "the survey date is out of range": "测评日期不在有效范围内。",
    "the report due date is wrong": "统计年报报送期限的设置有误，请联系县司法局信息化管理员。",
    "must be a month and day of the next year": "应为次年的某月某日",
    "the assessment settings are wrong": "评议考核的设置有误，请联系县司法局信息化管理员。",
    "an assessment weight names an indicator that is not installed": (
        "评议考核设置了未安装的考核指标，请联系县司法局信息化管理员。"
    ),
    "no such indicator installed": "没有安装该考核指标",
    "must not be before from": "不能早于开始日期",
}

PATTERNS = [
    # agencies
    (r"^unknown agency (\S+)$", "没有这个执法部门（\\1）"),
    (r"^not an assessed agency: (\S+)$", "不是参加评议考核的执法部门（\\1）"),
    # items
    (r"^a deadline is at most (\d+) working days$", "办理期限最多 \\1 个工作日。"),
    (r"^must be at most (\d+)$", "不能超过 \\1"),
    (r"^complaint (\S+) not found$", "没有编号为 \\1 的投诉举报"),
    (r"^is about (\S+)$", "涉及的是另一个执法部门（\\1）"),
    (r"^only (\S+) may (\S+) this item$", "只有该事项所属的执法部门可以签收或反馈。"),
    (
        r"^cannot (\S+) an item that is (\S+) \(only when .*\)$",
        "该事项当前的状态不允许此操作：可能已被处理，请刷新页面查看。",
    ),
    (r"^is (\S+)$", "当前状态不允许此操作"),
    (r"^supervision item (\S+) not found$", "没有编号为 \\1 的监督事项"),
    # complaints
    (r"^the complaint was already (\S+)$", "该投诉举报已经处理过（已受理或不予受理），请刷新页面查看。"),
    (r"^only an accepted complaint can be extended \(it is (\S+)\)$", "只有已受理的投诉举报才能延期。"),
    (r"^only an accepted complaint can be concluded \(it is (\S+)\)$", "只有已受理的投诉举报才能办结。"),
    (r"^an extension is at most (\d+) days$", "延期最多 \\1 天。"),
    (
        r"^the deadline (\S+) has passed; an extension is approved before it$",
        "办结期限（\\1）已过：延期须在期限届满前批准。",
    ),
    # bulletins
    (r"^a bulletin for this period was already published \(#(\d+)\)$", "该期间的通报已经发布过（第 \\1 号）。"),
    # assessment, reports, filings, surveys
    (r"^no assessment run for (\d+) yet$", "\\1 年度尚未进行评议考核。"),
    (
        r"^(\d+) is not over yet: its report is filed from 1 January (\d+)$",
        "\\1 年度尚未结束：统计年报自 \\2 年 1 月 1 日起报送。",
    ),
    (
        r"^the (\d+) report of (\S+) was filed on (\S+) by (\S+)$",
        "\\1 年度统计年报已于 \\3 报送（报送人 \\4），不能重复报送。",
    ),
    (r"^the (\d+) report of (\S+) is already filed$", "\\1 年度统计年报已经报送，不能重复报送。"),
    (r"^the (\d+) report of (\S+) has not been filed$", "\\1 年度统计年报尚未报送。"),
    (r"^report filing (\S+) not found$", "没有这份年报报送记录"),
    (r"^must lie between the start of (\d+) and today$", "应在 \\1 年 1 月 1 日至今天之间"),
]

LABELS = {
    "not_assessed_reason": {"no_enforcement_duties": "无行政执法职责，不参加评议考核"},
    "item_kind": {
        "rectification": "整改通知书",
        "complaint_referral": "投诉转办",
        "transfer_followup": "移送跟踪",
        "report_request": "报送要求",
    },
    "item_state": {
        "issued": "已下发",
        "acknowledged": "已签收",
        "answered": "已反馈",
        "returned": "已退回",
        "verified": "已核查",
        "closed": "已办结",
        "overdue": "已超期",
    },
    # an item's history: what was done
    "item_action": {
        "issued": "下发",
        "acknowledged": "签收",
        "answered": "反馈",
        "returned": "退回",
        "verified": "核查",
        "closed": "办结",
        "overdue": "超期",
        "recurred": "问题再次发生",
    },
    "complaint_state": {
        "registered": "待受理",
        "accepted": "已受理",
        "refused": "不予受理",
        "concluded": "已办结",
        "extended": "已延期",
    },
    "complaint_outcome": {"upheld": "属实", "not_upheld": "不属实"},
    "complainant_kind": {"citizen": "个人", "enterprise": "企业"},
    "indicator": {
        "certification": "持证率",
        "training": "培训达标率",
        "case_review": "案卷评查",
        "overdue_items": "督办事项逾期",
        "publication": "按时公示率",
        "complaints_upheld": "投诉举报查实",
        "decisions_reversed": "复议诉讼纠错",
        "promptness": "按时办结率",
        "satisfaction": "满意度测评",
        "followups_overdue": "错案纠正与责任追究逾期",
    },
    "report_section": {
        "cases": "执法案件",
        "certificates": "执法证件",
        "training": "培训",
        "reviews": "案卷评查",
        "followups": "错案纠正与责任追究",
        "complaints": "投诉举报",
        "supervision": "执法监督",
    },
    "report_column": {
        "agency_code": "机关代码",
        "agency_name": "执法部门",
        "type_code": "类别代码",
        "type_name": "执法类别",
        "cases": "立案",
        "decided": "作出决定",
        "fined": "罚款",
        "fine_total": "罚没金额",
        "officers": "在岗执法人员",
        "certified": "持证",
        "certificates_issued": "新发证",
        "certificates_cancelled": "注销吊销",
        "training_officers": "应训人员",
        "training_compliant": "达标",
        "review_files": "评查案卷",
        "excellent": "优秀",
        "pass": "合格",
        "fail": "不合格",
        "complaints": "受理登记",
        "complaints_concluded": "办结",
        "complaints_upheld": "查实",
        "items": "督办事项",
        "items_overdue": "逾期（含逾期反馈）",
        "decisions_reversed": "复议诉讼纠错",
        "followups_opened": "启动",
        "followups_closed": "办结",
        "followups_overdue": "逾期",
        "followup_exemptions": "尽职免责容错",
    },
    "report_scope": {"county": "全县"},
    "review_grade": {"excellent": "优秀", "pass": "合格", "fail": "不合格"},
}
