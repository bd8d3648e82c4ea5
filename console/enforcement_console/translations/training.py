"""The training area's messages and words: what the training service (its rules, its spreadsheet import, the kernel's
sheet reader and access checks it uses) and its gateway routes can say, in the county's terms (培训, 学时, 培训班).

``console/tests/test_translations_training.py`` finds every literal message in the service's source and fails when
one has no Chinese here.
"""

EXACT: dict[str, str] = {
    "only a required course has required years": "只有必修课程才有必修年度",
    # who may
    "only the justice bureau may do this": "只有县司法局可以进行此操作。",
    "not allowed to read another agency's records": "不能查看其他部门的记录。",
    "not allowed to change another agency's records": "不能修改其他部门的记录。",
    "this role cannot change records": "您的角色不能修改记录。",
    "this role cannot read agency records": "您的角色不能查看部门记录。",
    "an officer reads their own compliance, not the agency's table": "执法人员只能查看本人的学时达标情况。",
    # categories and courses
    "must be a lower-case code like public_law": "应为小写英文代码，如 public_law",
    "must be more than 0 and at most 1000": "应大于 0 且不超过 1000",
    "already exists": "已存在",
    # sessions
    "a bureau session names no agency": "县司法局举办的培训班不填写举办部门。",
    "must be empty for the bureau": "县司法局举办时不填写",
    "an agency session names one agency": "部门举办的培训班须填写一个举办部门。",
    "name exactly one agency": "须选择一个部门",
    "a joint session names two or more agencies": "联合举办的培训班须选择两个或以上部门。",
    "name two or more agencies": "须选择两个或以上部门",
    "must not be before held_on": "结束日期不能早于开始日期",
    "a session lasts at most a year": "一个培训班最长一年",
    # attendance
    "must be a number": "应为数字",
    "must be more than 0": "应大于 0",
    "this officer's attendance at this session is already recorded; correct it instead": (
        "该执法人员在本培训班的参训记录已存在，如需修改请更正原记录。"
    ),
    "already recorded for this officer": "该执法人员的参训记录已存在",
    "already recorded for this officer; correct it instead": "该执法人员在本培训班的参训记录已存在，请更正原记录",
    "an officer of another agency": "不是本部门的执法人员",
    "nothing to correct": "没有要更正的内容。",
    "give hours, attended_on or both": "请填写更正后的学时或参训日期",
    "the correction changes nothing": "更正后的内容与原记录相同。",
    "same as the current value": "与原记录相同",
    # the attendance spreadsheet
    "the file is not valid base64": "上传的文件已损坏，请重新上传。",
    "not valid base64": "文件已损坏",
    "already imported": "这个文件已经导入过",
    # joint sessions and whose officers attend (issue 13)
    "a session of a required course is organised by the bureau": "必修课程的培训班只能由县司法局举办。",
    "a required course's sessions are the bureau's": "必修课程的培训班只能由县司法局举办",
    "the co-organiser has already decided": "本单位已经确认（或拒绝）过这个联合培训班。",
    "already decided": "已经确认或拒绝过",
    "your agency is not a co-organiser of this session": "本单位不是这个培训班的联合举办单位。",
    "not a co-organiser of this session": "本单位不是联合举办单位",
    "only the co-organiser's administrator confirms its part in a joint session": (
        "联合培训班只能由联合举办单位的管理员确认。"
    ),
    "the co-organiser has not confirmed the joint session yet": (
        "联合举办单位尚未确认这个培训班，暂不能登记该单位人员参训"
    ),
    "the session is not open to the officer's agency": "这个培训班不对该执法人员所在部门开放",
    "the spreadsheet has no attendance rows": "表格中没有参训记录。",
    "no rows below the header": "表头下面没有数据行",
    "missing": "未填写",
    "the workbook has no sheet": "文件中没有工作表",
    "the sheet is empty: row 1 must hold the column names": "工作表是空的：第 1 行应为列名（人员编号、场次编号、学时）",
    # compliance and exams
    "name the agency to export": "请先选择要导出的部门。",
    "required": "必填",
    "name the year to close": "请填写要结束的年度。",
    "must be a past year": "应为已经结束的年度",
    "this officer's result at this sitting is already recorded": "该执法人员本场考试的成绩已登记。",
    "already recorded": "已登记",
    "the exam has not taken place yet": "考试尚未举行",
}

PATTERNS: list[tuple[str, str]] = [
    # a required course's years (必修年度)
    (r"^invalid required years: .*$", "必修年度有误，请按标出的提示修改"),
    # lookups (a field of a request, or a path that names nothing)
    (r"^unknown officer (.+)$", "人员编号 \\1 不存在（或尚未同步到培训系统）"),
    (r"^unknown session (.+)$", "培训班（场次）编号 \\1 不存在"),
    (r"^unknown course (.+)$", "课程 \\1 不存在"),
    (r"^unknown category (.+)$", "培训类别 \\1 不存在"),
    (r"^unknown agency (.+)$", "部门 \\1 不存在"),
    (r"^officer (.+) not known to the training service$", "培训系统中没有这名执法人员（\\1）。"),
    (r"^course (.+) not found$", "没有找到这门课程。"),
    (r"^session (.+) not found$", "没有找到这个培训班。"),
    (r"^attendance (.+) not found$", "没有找到这条参训记录。"),
    (r"^exam sitting (.+) not found$", "没有找到这场考试。"),
    (r"^category (.+) already exists$", "培训类别 \\1 已存在。"),
    (r"^a category named (.+) already exists$", "名为“\\1”的培训类别已存在。"),
    # sessions and attendance (the service's rules)
    (r"^invalid session: .*$", "培训班信息有误，请按标出的提示修改后再提交。"),
    (r"^invalid attendance: .*$", "参训记录有误，请按标出的提示修改后再提交。"),
    (r"^must be a multiple of (\S+)$", "应为 \\1 的整数倍"),
    (r"^(\S+) h over (\S+) day\(s\) is more than (\S+) h a day$", "\\2 天共 \\1 学时，超过每天 \\3 学时的上限"),
    (r"^(\S+) h is more than the session's (\S+) h$", "\\1 学时超过本培训班的 \\2 学时"),
    (r"^(\S+) is in the future$", "参训日期 \\1 晚于今天"),
    (r"^the session starts on (\S+); no attendance before it$", "本培训班 \\1 开始，参训日期不能早于开始日期"),
    (r"^the session ended on (\S+)$", "本培训班已于 \\1 结束"),
    (r"^the officer left the post on (\S+)$", "该执法人员已于 \\1 离岗"),
    (r"^the same officer and session as row (\d+)$", "与第 \\1 行的执法人员和培训班重复"),
    # the spreadsheet (the kernel's reader and the import)
    (r"^'(.*)' is not a number$", "“\\1”不是数字"),
    (r"^'(.*)' is not a date \(YYYY-MM-DD\)$", "“\\1”不是日期（应为 年-月-日，如 2026-11-29）"),
    (r"^longer than (\d+) characters$", "超过 \\1 个字符"),
    (r"^not a readable \.xlsx workbook.*$", "不是可以读取的 .xlsx 表格文件，请用 Excel 或 WPS 另存为 .xlsx 后再上传"),
    (r"^row 1 lacks the columns .*?; missing: (.*)$", "第 1 行（表头）缺少必需的列：\\1"),
    (r"^row (\d+): more than (\d+) rows; split the file$", "第 \\1 行：超过 \\2 行，请拆分成几个文件分别导入"),
    # the uploaded archive's limits (SPREADSHEETS settings; the kernel's check_archive and read_sheet)
    (r"^the file is larger than (.+) \(max_file_bytes\)$", "文件大小超过上限 \\1，不能导入"),
    (
        r"^the archive holds more than (\d+) files \(max_members\)$",
        "文件内部包含的部件超过上限 \\1 个，不是正常的表格文件，不能导入",
    ),
    (r"^the archive unpacks to more than (.+) \((\S+)\)$", "文件解压后超过上限 \\1，不能导入"),
    (
        r"^(.+) unpacks to more than the (\d+) bytes it declares \(a forged size, refused\)$",
        "文件内部部件 \\1 解压后超过其声明的 \\2 字节，文件被篡改或已损坏，不能导入",
    ),
    (
        r"^(.+) unpacks to more than (.+) \(max_member_bytes\)$",
        "文件内部部件 \\1 解压后超过上限 \\2，不能导入",
    ),
    (
        r"^(.+) is compressed more than (\d+) to 1 \(max_ratio\).*$",
        "文件内部部件 \\1 的压缩比超过上限 \\2:1，不是正常的表格数据，不能导入",
    ),
    (
        r"^row (\d+): more than (\d+) blank rows \(max_blank_rows\).*$",
        "第 \\1 行：空行超过上限 \\2 行，请删除数据下方的空行",
    ),
    (
        r"^row (\d+), column (\S+): a cell longer than (\d+) characters \(max_cell_chars\)$",
        "第 \\1 行 \\2 列：单元格超过上限 \\3 个字符，不能导入",
    ),
    (r"^SPREADSHEETS\.(\S+) must be positive$", "表格导入的上限设置应为正数"),
    (r"^the sheet cannot be read past row (\d+).*$", "表格第 \\1 行之后无法读取，文件可能已损坏"),
    (r"^malformed spreadsheet: .*$", "无法读取上传的表格，请检查文件后重新上传。"),
    (
        r"^(\d+) bad row\(s\) of (\d+), (\d+) problem\(s\); nothing was imported(?: \(the first (\d+) are listed\))?$",
        "共 \\2 行，其中 \\1 行有问题（\\3 处），全部未导入；请改正下表列出的问题后重新上传。",
    ),
    (
        r"^this file was already imported \(import (\S+) on (\S+)\)$",
        "这个文件已于 \\2 导入过，不能重复导入。",
    ),
    # compliance and exams
    (r"^(\d+) has not ended yet$", "\\1 年度尚未结束。"),
    (r"^the exam takes place on (\S+); no result before it$", "考试定于 \\1 举行，举行前不能登记成绩。"),
    (r"^score above the maximum (\S+)$", "成绩超过满分 \\1 分。"),
    (r"^at most (\S+)$", "不能超过 \\1"),
]

LABELS: dict[str, dict[str, str]] = {
    "training_category": {
        "public_law": "公共法律知识",
        "professional": "业务知识和执法技能",
        "political": "政治轮训",
    },
    "course_kind": {"training": "培训", "drill": "执法演练", "contest": "执法技能比武"},
    "delivery": {"online": "线上", "offline": "线下"},
    "organiser_kind": {"bureau": "县司法局举办", "agency": "部门举办", "joint": "联合举办"},
    "joint_state": {"pending": "待确认", "confirmed": "已确认"},  # a joint session's co-organisers (issue 13)
    "partner_state": {"pending": "待确认", "confirmed": "已确认", "refused": "不参加"},
    "exam_kind": {"qualification": "行政执法资格考试", "renewal": "换证考试"},
    "exam_passed": {"true": "通过", "false": "未通过"},
    "compliance": {"compliant": "达标", "short": "未达标"},
    "compliance_reason": {
        "hours_short:public_law": "公共法律知识学时不足",
        "hours_short:professional": "业务知识和执法技能学时不足",
        "hours_short:political": "政治轮训学时不足",
        "required_course_not_done": "必修课程未完成",
        "not_rotated_by_deadline": "未按期参加全员轮训",
        "not_in_post": "该年度不在岗，不计学时要求",
    },
    "rotation": {"true": "已参加", "false": "未参加"},
    "required_course": {"true": "必修", "false": "选修"},
    "counts_hours": {"true": "计入学时", "false": "不计学时"},
    # the attendance sheet's columns (the import's row errors name them)
    "attendance_column": {
        "officer_id": "人员编号",
        "session_id": "场次编号",
        "hours": "学时",
        "attended_on": "参训日期",
        "note": "备注",
    },
}
