"""marshmallow's own messages and the words every area shares."""

EXACT = {
    "Missing data for required field.": "必填",
    "Field may not be null.": "不能为空",
    "Not a valid string.": "应为文字",
    "Not a valid integer.": "应为整数",
    "Not a valid number.": "应为数字",
    "Not a valid boolean.": "应为“是”或“否”",
    "Not a valid date.": "日期格式应为 年-月-日，如 2026-11-29",
    "Not a valid datetime.": "时间格式不正确",
    "Not a valid list.": "应为列表",
    "Not a valid mapping type.": "格式不正确",
    "Not a valid email address.": "邮箱格式不正确",
    "Not a valid URL.": "网址格式不正确",
    "Unknown field.": "不认识的字段",
    "Invalid value.": "取值无效",
    "Invalid input type.": "格式不正确",
    "String does not match expected pattern.": "格式不正确",
    "Shorter than minimum length 1.": "不能为空",
    "Length must be between 1 and 1.": "应为 1 个字符",
    "malformed JSON": "提交的内容格式不正确",
    "must be a JSON object": "提交的内容格式不正确",
    "required": "必填",
    # a list continued from a cursor (enforcement_kernel.paging, CursorPageQuery): one wording for every list
    "invalid cursor": "翻页位置无效，请回到列表第一页重新翻页。",
    "is not a cursor of this list (take it from a previous answer's next)": (
        "不是本列表的翻页位置，请从列表第一页重新翻页"
    ),
    "after and page": "翻页位置和页码不能同时使用。",
    "cannot be combined with a page other than 1": "不能与第 1 页以外的页码同时使用",
    # the services' shared access rules and uploads: one wording whichever service says it
    "only the justice bureau may do this": "只有县司法局可以进行此操作。",
    "not allowed to read another agency's records": "不能查看其他执法部门的记录。",
    "an officer may read only their own records": "执法人员只能查看本人的记录。",
    "not allowed to change another agency's records": "不能修改其他执法部门的记录。",
    "this role cannot read agency records": "您的角色不能查看执法部门的记录。",
    "this role cannot change records": "您的角色不能修改记录。",
    "already recorded": "已经登记过",
    "already published": "已经公示（发布）过，不能重复",
    "the file is not valid base64": "上传的文件已损坏，请重新上传。",
    "not valid base64": "文件已损坏，请重新上传",
    "must be a lower-case code like market_supervision": "代码格式不正确（应为小写英文字母和下划线）",
    "must be 2-40 letters, digits or '-'": "应为 2 至 40 个英文字母、数字或“-”",
    # the input policy (enforcement_contracts.input_policy) and the database's refusals under it (kernel rpc)
    "must not contain control or invisible characters": "不能含有控制字符或不可见字符",
    "must not contain bidirectional override characters": "不能含有改变文字方向的控制字符",
    "is out of range": "超出允许的范围",
    "refers to a record that does not exist": "引用的记录不存在",
    "a value is out of range": "有数值超出允许的范围。",
    "is too long": "内容过长",
    "a value is too long": "有内容超出允许的长度。",
    "a required value is missing": "缺少必填的内容。",
    "conflicts with a record already stored": "与已有的记录冲突。",
    "invalid path parameter": "网址中的编号或年份不正确。",
    "the body is nested too deep": "提交的内容层次过深。",
}

PATTERNS = [
    (r"^Must be one of: (.*)\.$", "应为以下之一：\\1"),
    (r"^Length must be between (\d+) and (\d+)\.$", "长度应为 \\1 至 \\2 个字符"),
    (r"^Shorter than minimum length (\d+)\.$", "至少 \\1 个字符"),
    (r"^Longer than maximum length (\d+)\.$", "最多 \\1 个字符"),
    (r"^Must be greater than or equal to (\S+)\.$", "不能小于 \\1"),
    (r"^Must be less than or equal to (\S+)\.$", "不能大于 \\1"),
    (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$", "应在 \\1 至 \\2 之间"),
    (r"^Must be greater than (\S+)\.$", "应大于 \\1"),
    (r"^Must be less than (\S+)\.$", "应小于 \\1"),
    (r"^at most (\d+) bytes$", "不能超过 \\1 字节"),
    (r"^Content-Type must be (.*)$", "文件类型应为 \\1"),
    (r"^retry in (\d+) s$", "请 \\1 秒后再试"),
    (r"^must be between (\d{4}-\d\d-\d\d) and (\d{4}-\d\d-\d\d)$", "日期应在 \\1 至 \\2 之间"),
    (r"^must be between (\d{4}) and (\d{4})$", "年份应在 \\1 至 \\2 之间"),
    (r"^nested deeper than (\d+) levels$", "嵌套不能超过 \\1 层"),
    # a request that stopped the service each time it ran (enforcement_kernel.poison)
    (
        r"^the request was abandoned after (\d+) attempts that did not complete$",
        "该请求已尝试 \\1 次均未能完成，系统已放弃处理，请联系系统管理员。",
    ),
]

LABELS = {
    "role": {"bureau": "司法局管理员", "agency_admin": "部门管理员", "officer": "执法人员", "public": "社会公众"},
    "yes_no": {"true": "是", "false": "否"},
}
