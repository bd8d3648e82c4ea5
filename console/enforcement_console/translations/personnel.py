"""The personnel area's messages and words: what the personnel service (and the access rules it applies) says in
English, in the county's Chinese (docs/console.md), and the words for its codes."""

from __future__ import annotations

from enforcement_contracts.personnel import (
    ASSESSMENT_GRADES,
    CERTIFICATE_STATUSES,
    DEPARTURE_REASONS,
)

CERTIFICATE_STATUS = {
    "valid": "有效",
    "suspended": "暂扣",
    "cancelled": "注销",
    "revoked": "吊销",
    "expired": "已过期",
    "none": "未持证",
}
DEPARTURE_REASON = {
    "transfer": "调离",
    "resignation": "辞职",
    "dismissal": "辞退",
    "retirement": "退休",
    "other": "其他",
}
APPLICATION_STATE = {"pending": "待审核", "approved": "批准", "refused": "不予批准"}
ASSESSMENT_GRADE = {
    "excellent": "优秀",
    "competent": "合格",
    "basically_competent": "基本合格",
    "incompetent": "不合格",
}
# Enforcement domains (执法类别) are data a county extends; these are the ones the console offers and names.
ENFORCEMENT_DOMAIN = {
    "market_supervision": "市场监管",
    "food_safety": "食品安全",
    "drug_safety": "药品安全",
    "transport": "交通运输",
    "ecology_environment": "生态环境",
    "agriculture": "农业农村",
    "culture_tourism": "文化旅游",
    "natural_resources": "自然资源",
    "emergency_management": "应急管理",
    "labour_security": "人力资源社会保障",
    "health": "卫生健康",
    "housing_construction": "住房城乡建设",
    "urban_management": "城市管理",
    "forestry": "林业",
    "water": "水利",
    "administrative_approval": "行政审批",
    "finance": "财政",
    "development_reform": "发展改革",
    "township_comprehensive": "乡镇综合执法",
    "public_security": "公安",
}

EXACT: dict[str, str] = {
    # officers and ID numbers
    "invalid ID card number": "身份证号码有误",
    "ID number must be a string": "身份证号码应为文字",
    "ID number must be 17 digits followed by a digit or X": "身份证号码应为 17 位数字加最后一位数字或 X",
    "an officer with this ID card number is already registered": "该身份证号码的执法人员已经登记过",
    "already registered": "已经登记过",
    "no officer with this ID card number": "没有该身份证号码的执法人员",
    "ID number check character does not match the first 17 digits": "身份证号码校验位不对，请逐位核对",
    "a departed officer's record cannot be changed": "已离岗人员的档案不能再修改",
    "already exists": "已存在",
    # departures
    "the officer's departure is already recorded": "该人员的离岗已经登记过",
    "departure date is in the future": "离岗日期不能晚于今天",
    "must not be in the future": "不能晚于今天",
    # certificates
    "issue date is in the future": "发证日期不能晚于今天",
    "the officer already holds a valid or suspended certificate": "该人员已持有有效或暂扣中的执法证，不能重复发证",
    "already certified": "已持有执法证",
    "domains outside the officer's enforcement domains": "所选执法类别超出该人员的执法类别",
    "not valid": "执法证不是有效状态",
    "outside the renewal window": "不在换证期内",
    "no renewal exam passed in the renewal window": "换证期内尚未通过换证考试",
    "renewal exam not passed": "尚未通过换证考试",
    "issued": "发证",
    # eligibility reasons
    "police officers carry a police card, not an enforcement certificate (People's Police Law)": (
        "人民警察持人民警察证执法，不申领行政执法证（《人民警察法》）"
    ),
    "officer is not active (has left the enforcement post)": "该人员已离岗",
    "a required course (e.g. 国办发〔2023〕27号) has not been completed": "尚未完成必修课程（如国办发〔2023〕27号）",
    "the qualification exam (行政执法资格考试) has not been passed": "尚未通过行政执法资格考试",
    # may an officer enforce (asked by the cases pages)
    "officer holds no enforcement certificate": "该人员未持有行政执法证",
    "certificate has no expiry date on record": "执法证没有有效期记录",
    "no certificate issued on or before that date": "该日期之前未发放执法证",
    "the police officer has no police card number on record": "该人民警察没有登记人民警察证号",
    # police cards (人民警察证)
    "only a police officer carries a police card": "只有人民警察持人民警察证，非警察人员不填警察证号",
    "a police officer needs a police card number": "人民警察须登记人民警察证号",
    "invalid police card number": "人民警察证号有误",
    "a police card number is 6 to 10 digits, optionally after one or two capital letters": (
        "人民警察证号应为 6 至 10 位数字，前面可有一至两个大写字母"
    ),
    "an officer with this police card number is already registered": "该人民警察证号已经登记过",
    # assessments
    "assessment year is in the future": "考核年度不能晚于今年",
    "already recorded": "已经登记过",
    # legal reviewers
    # an unknown officer and another agency's get the same answer (nothing about the other agency is told)
    "officer not found in the agency": "本部门执法人员中没有该人员",
    "not found in the agency": "本部门执法人员中没有该人员",
    "qualification number missing": "请填写法律职业资格证书编号",
    "required with a legal qualification": "具有法律职业资格的，须填写证书编号",
    # shapes of the contract
    "must be a lower-case code like market_supervision": "应为小写英文代码，如 market_supervision",
    "must be 2-40 letters, digits or '-'": "应为 2 至 40 个字母、数字或“-”",
    # who may do what (the access rules every service applies)
    "this role cannot read agency records": "您的角色不能查看部门的记录",
    "not allowed to read another agency's records": "不能查看其他部门的记录",
    "not allowed to change another agency's records": "不能修改其他部门的记录",
    "this role cannot change records": "您的角色不能修改记录",
    "only the justice bureau may do this": "只有县司法局可以进行此操作",
    # certificate applications (申领: the agency applies, the issuing authority decides)
    "an application for this officer is already pending": "该人员已有待审核的执法证申请",
    "an application is already pending": "已有待审核的申请",
    "this role cannot read certificate applications": "您的角色不能查看执法证申请",
    # appointment (任职日期)
    "the appointment date is in the future": "任职日期不能晚于今天",
    "the first review cannot be in the future": "首次审核日期不能晚于今天",
    # sector guidance (行业指导)
    "guidance cannot start in the future": "指导关系的开始日期不能晚于今天",
    "this department already guides this township in this domain": "该部门已在这一领域指导该乡镇",
    "already guided in this domain": "该乡镇在这一领域已有指导部门",
    "already ended": "已经结束",
    "invalid end date": "结束日期无效",
}

PATTERNS: list[tuple[str, str]] = [
    (r"^ID number must have 18 characters, got (\d+)$", "身份证号码应为 18 位，现为 \\1 位"),
    (r"^the police officer left the post on (\S+)$", "该人民警察已于 \\1 离岗"),
    (r"^the police officer took up the post on (\S+), after that date$", "该人民警察于 \\1 才到岗，此前不能执法"),
    (r"^the officer left the post on (\S+)$", "该执法人员已于 \\1 离岗"),
    (
        r"^the enforcement domain '(\S+)' is not one of the police bureau's domains$",
        "该执法类别不属于公安机关的执法类别",
    ),
    (r"^ID number has an impossible birth date (\d+)$", "身份证号码中的出生日期（\\1）不存在，请核对"),
    (r"^ID number birth date (\S+) is before 1900$", "身份证号码中的出生日期（\\1）早于 1900 年，请核对"),
    (r"^ID number birth date (\S+) is in the future$", "身份证号码中的出生日期（\\1）晚于今天，请核对"),
    (r"^Length must be (\d+)\.$", "长度应为 \\1 个字符"),
    (r"^officer (\S+) not found$", "该执法人员不存在"),
    (r"^certificate (\S+) not found$", "执法证 \\1 不存在"),
    (r"^agency (\S+) not found$", "该执法部门不存在"),
    (r"^unknown agency (\S+)$", "没有这个执法部门（\\1）"),
    (r"^agency (\S+) already exists$", "执法部门代码 \\1 已存在"),
    (r"^an agency named (.+) already exists$", "名为“\\1”的执法部门已存在"),
    (r"^officer is not assigned to (.+)$", "该人员的执法类别中没有：\\1"),
    (r"^the officer is not eligible for a certificate: .*$", "该人员尚不具备申领执法证的资格，原因见下。"),
    (r"^training record is for (\d+), not (\d+)$", "培训记录为 \\1 年度，而非 \\2 年度"),
    (
        r"^public legal knowledge training (\S+) h is below the required (\S+) h$",
        "公共法律知识培训 \\1 学时，未达到要求的 \\2 学时",
    ),
    (
        r"^professional knowledge and skills training (\S+) h is below the required (\S+) h$",
        "业务知识和执法技能培训 \\1 学时，未达到要求的 \\2 学时",
    ),
    (r"^certificate is \w+ \((.+)\), which is final$", "执法证已\\1，不能再变更状态"),
    (r"^unknown certificate status .*$", "执法证状态无效"),
    (r"^only a valid certificate can be renewed \(this one is \w+\)$", "只有有效的执法证才能换证"),
    (r"^outside the renewal window \((\S+) to (\S+)\)$", "不在换证期内（换证期为 \\1 至 \\2）"),
    (r"^renewed until (\S+)$", "换证，有效期延至 \\1"),
    (r"^the (\d+) assessment is already recorded$", "\\1 年度考核已经登记过"),
    (r"^certificate is \w+ \((.+)\)$", "执法证处于“\\1”状态"),
    (r"^certificate expired on (\S+)$", "执法证已于 \\1 到期"),
    (r"^certificate does not cover the enforcement domain '(.+)'$", "执法证不包含执法类别 \\1"),
    (r"^certificate valid for '(.+)' until (\S+)$", "执法证有效，可在 \\1 类别执法，有效期至 \\2"),
    (r"^certificate application (\S+) not found$", "该执法证申请不存在"),
    (r"^holder left the enforcement post on (\S+)$", "持证人已于 \\1 离开执法岗位"),
    (r"^(\S+) is not a county department$", "\\1 不是县直部门"),
    (r"^(\S+) is not a township$", "\\1 不是乡镇"),
    (r"^must be a county department \(kind .*\)$", "应为县直部门"),
    (r"^must be a township \(kind .*\)$", "应为乡镇"),
    (r"^this guidance ended on (\S+)$", "该指导关系已于 \\1 结束"),
    (r"^must be between (\S+) and today$", "应在 \\1 至今天之间"),
]

# the certificate's status moves and the reasons the service writes into its history, spelled out per code
for _old in CERTIFICATE_STATUSES:
    for _new in CERTIFICATE_STATUSES:
        EXACT[f"certificate cannot move from {_old} to {_new}"] = (
            f"执法证不能从“{CERTIFICATE_STATUS[_old]}”改为“{CERTIFICATE_STATUS[_new]}”"
        )
for _reason in DEPARTURE_REASONS:
    EXACT[f"departure: {_reason}"] = f"离岗（{DEPARTURE_REASON[_reason]}）"
for _state, _word in APPLICATION_STATE.items():
    EXACT[f"the application is already {_state}"] = f"该申请已{_word}"
    EXACT[f"already {_state}"] = f"已{_word}"
for _grade in ASSESSMENT_GRADES:
    PATTERNS.append((rf"^yearly assessment (\d+): {_grade}$", f"\\1 年度考核{ASSESSMENT_GRADE[_grade]}"))

LABELS: dict[str, dict[str, str]] = {
    "certificate_status": CERTIFICATE_STATUS,
    "officer_status": {"active": "在岗", "departed": "已离岗"},
    "departure_reason": DEPARTURE_REASON,
    "assessment_grade": ASSESSMENT_GRADE,
    "agency_kind": {"department": "县直部门", "township": "乡镇", "other": "其他"},
    "reviewer_kind": {"public_lawyer": "公职律师", "legal_adviser": "法律顾问"},
    "enforcement_domain": ENFORCEMENT_DOMAIN,
    "application_state": {"pending": "待审核", "approved": "已批准（已发证）", "refused": "不予批准"},
    "check_reason": {
        "holder_departed": "持证人已离开执法岗位",
        "expired": "执法证已过期",
        "not_valid": "执法证已暂扣、注销或吊销",
    },
}
