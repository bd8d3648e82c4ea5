"""执法证查询: anyone checks a certificate by its number (the QR code on the card and on the certificate's page opens
this page with ``?number=&code=``). The answer is the gateway's public check: valid or not; with the card's check code
(查验码) also the holder's name, agency, domains and dates, never other personal data."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, render_template, request

from ...gateway import ApiError
from ...pages import FormErrors, public_api

blueprint = Blueprint("portal_personnel", __name__, url_prefix="/public")

# certificate numbers are digits (division code, year, serial); a little leeway for other counties' schemes
NUMBER = re.compile(r"^[0-9A-Za-z-]{4,40}$")
CODE = re.compile(r"^[0-9A-Za-z]{1,32}$")  # the gateway decides whether it is right; this only keeps out junk


def clean_number(text: str) -> str:
    """What a person typed or a QR link carries, without spaces (a number read aloud is often typed with them)."""
    return re.sub(r"\s+", "", text or "")


@blueprint.route("/certificate-check")
def certificate_check():
    number = clean_number(request.args.get("number", ""))
    code = re.sub(r"[\s-]+", "", request.args.get("code", "")).upper()  # as printed: groups, any case
    result, errors, status = None, FormErrors(), 200
    if "number" in request.args:
        if not number:
            errors, status = FormErrors(fields={"number": ["请填写执法证编号"]}, sentence="请填写执法证编号。"), 400
        elif not NUMBER.fullmatch(number):
            errors = FormErrors(fields={"number": ["编号只含数字（和字母），请核对"]}, sentence="执法证编号格式不对。")
            status = 400
        elif code and not CODE.fullmatch(code):
            errors = FormErrors(fields={"code": ["查验码只含字母和数字，请核对"]}, sentence="查验码格式不对。")
            status = 400
        else:
            try:
                params = {"code": code} if code else None
                result = public_api().get(f"/public/certificates/{quote(number, safe='')}", params)
            except ApiError as error:
                if error.status != 404:
                    raise
                result, status = {}, 404
    response = render_template(
        "portal/personnel_certificate_check.html", number=number, code=code, result=result, errors=errors
    )
    return response, status
