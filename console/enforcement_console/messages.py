"""Every API error as the Chinese a person reads: a sentence for the page, and each field's messages beside it."""

from __future__ import annotations

import logging
import re

from .gateway import ApiError
from .translations import EXACT, LABELS, PATTERNS

log = logging.getLogger(__name__)

STATUS_SENTENCES = {
    400: "提交的内容有误，请按标出的提示修改后再提交。",
    401: "请先登录。",
    403: "您没有进行此操作的权限。",
    404: "要找的记录不存在：编号可能有误，或记录已被删除。",
    405: "不支持此操作。",
    409: "操作与记录的当前状态冲突：记录可能已被他人修改或已经处理过，请刷新后再试。",
    413: "上传的文件或提交的内容过大。",
    415: "文件格式不支持。",
    422: "提交的内容有误，请按标出的提示修改后再提交。",
    429: "操作过于频繁，请稍后再试。",
    500: "系统处理出错，已记录在案；请稍后再试，或联系县司法局信息化管理员。",
    502: "系统处理出错，已记录在案；请稍后再试，或联系县司法局信息化管理员。",
    503: "相关业务系统暂时无法响应，请稍后再试；如持续出现，请联系县司法局信息化管理员。",
    504: "相关业务系统响应超时，请稍后再试。",
}

CODE_SENTENCES = {
    "password_change_required": "首次登录或密码被重置后，须先修改密码。",
    "unauthorized": "用户名或密码不正确，或登录已过期，请重新登录。",
    "gateway_unreachable": "无法连接业务系统，请稍后再试；如持续出现，请联系县司法局信息化管理员。",
    "rate_limited": "操作过于频繁，请稍后再试。",
}

FALLBACK_FIELD_MESSAGE = "填写有误，请检查"


def translate(message: str) -> str | None:
    """The Chinese of one API message, or None when there is none yet."""
    if message in EXACT:
        return EXACT[message]
    for pattern, chinese in PATTERNS:
        match = pattern.match(message)
        if match:
            return chinese(match) if callable(chinese) else match.expand(chinese)
    named = FIELD_FIRST.match(message)  # "decided_on must not be after today": the field's own message
    if named:
        return translate(named.group(1))
    return None


# a sentence that names its field first (``assigned_on must not be ...``, ``measure: a correction ...``): the field
# is shown beside its input, the rest is the message
FIELD_FIRST = re.compile(r"^(?:[a-z]+(?:_[a-z]+)+ |[a-z_]+(?:\.[a-z0-9_]+)*: )(.+)$")


def field_message(message) -> str:
    text = str(message)
    chinese = translate(text)
    if chinese is None:
        log.warning("no Chinese for the API message %r", text)
        return FALLBACK_FIELD_MESSAGE
    return chinese


def field_errors(fields: dict, prefix: str = "") -> dict[str, list[str]]:
    """``{"officer.name": ["必填"]}`` from the API's ``fields`` (nested dicts and lists flattened to dotted names)."""
    out: dict[str, list[str]] = {}
    for key, value in (fields or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(field_errors(value, f"{name}."))
        elif isinstance(value, list | tuple) and value and all(isinstance(v, dict) for v in value):
            for index, item in enumerate(value):
                out.update(field_errors(item, f"{name}.{index}."))
        else:
            values = value if isinstance(value, list | tuple) else [value]
            out[name] = [field_message(v) for v in values]
    return out


def sentence(error: ApiError) -> str:
    """The one sentence a page shows for a failed request."""
    if error.code in CODE_SENTENCES:
        text = CODE_SENTENCES[error.code]
    else:
        text = translate(error.message) or STATUS_SENTENCES.get(error.status) or STATUS_SENTENCES[500]
    if error.status == 429 and error.retry_after:
        text += f"（约 {error.retry_after} 秒后）"
    return text


def label(kind: str, value) -> str:
    """The glossary's word for a code (``label("certificate_status", "valid")`` → 有效); the code itself if unknown."""
    if value is None:
        return "—"
    key = str(value).lower() if isinstance(value, bool) else str(value)
    words = LABELS.get(kind, {})
    if key not in words:
        log.warning("no Chinese label for %s=%r", kind, key)
        return key
    return words[key]
