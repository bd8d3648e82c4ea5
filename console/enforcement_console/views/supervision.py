"""The supervision pages (being written)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..navigation import ADMINS
from ..pages import staff

blueprint = Blueprint("supervision", __name__, url_prefix="/supervision")


@blueprint.route("/")
@staff(*ADMINS)
def index():
    return render_template("area_pending.html", title="supervision")
