"""The portal's personnel pages (being written)."""

from __future__ import annotations

from flask import Blueprint, render_template

blueprint = Blueprint("portal_personnel", __name__, url_prefix="/public")


@blueprint.route("/certificate-check")
def certificate_check():
    return render_template("area_pending.html", title="certificate_check")
