"""总览: the bureau's county-wide picture of the year, an agency admin's to-do list."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..navigation import ADMINS
from ..pages import staff

blueprint = Blueprint("overview", __name__, url_prefix="/overview")


@blueprint.route("/")
@staff(*ADMINS)
def index():
    return render_template("area_pending.html", title="总览")
