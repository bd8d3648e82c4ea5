"""案件 · 随机抽取的第二步: a double-random draw (双随机抽查) or a case-file review batch (案卷评查) is planned first —
its pools fixed, the server's seed's SHA-256 published (随机种子摘要) — and executed afterwards, which draws and reveals
the seed. The planning forms are the cases pages' (no seed field: the server makes every seed); these add the step
that executes, on the cases blueprint."""

from __future__ import annotations

from flask import flash, redirect, url_for

from ..gateway import ApiError
from ..navigation import ADMINS, BUREAU
from ..pages import FormErrors, api, staff
from .cases import blueprint


def _refused(what: str, error: ApiError) -> str:
    """A refused execution as one sentence (a 409: already drawn; a 400: not enough inspectors …)."""
    if error.status not in (400, 404, 409):
        raise error
    failed = FormErrors(error)
    details = [message for texts in failed.fields.values() for message in texts]
    return f"{what}未完成：" + failed.sentence + ("（" + "；".join(details) + "）" if details else "")


@blueprint.route("/draws/<draw_id>/execution", methods=["POST"])
@staff(*ADMINS)
def execute_draw(draw_id):
    try:
        drawn = api().post(f"/inspections/draws/{draw_id}/execution")
    except ApiError as error:
        flash(_refused("抽取", error), "error")
    else:
        flash(f"抽取完成，抽中 {len(drawn['assignments'])} 户，随机种子已公开。请核对结果后公示。", "success")
    return redirect(url_for("cases.draw", draw_id=draw_id))


@blueprint.route("/reviews/<batch_id>/execution", methods=["POST"])
@staff(BUREAU)
def execute_batch(batch_id):
    try:
        drawn = api().post(f"/reviews/batches/{batch_id}/execution")
    except ApiError as error:
        flash(_refused("抽取", error), "error")
    else:
        flash(f"已抽取 {len(drawn['files'])} 份案卷，随机种子已公开。请为每份案卷指定评查人员。", "success")
    return redirect(url_for("cases.batch", batch_id=batch_id))
