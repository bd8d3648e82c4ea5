"""The cases pages (being written)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..navigation import ADMINS
from ..pages import staff

blueprint = Blueprint("cases", __name__, url_prefix="/cases")


@blueprint.route("/")
@staff(*ADMINS)
def index():
    return render_template("area_pending.html", title="cases")
