"""The personnel pages (being written)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..navigation import ADMINS
from ..pages import staff

blueprint = Blueprint("personnel", __name__, url_prefix="/personnel")


@blueprint.route("/")
@staff(*ADMINS)
def index():
    return render_template("area_pending.html", title="personnel")


@blueprint.route("/me")
@staff()
def me():
    return render_template("area_pending.html", title="我的档案")
