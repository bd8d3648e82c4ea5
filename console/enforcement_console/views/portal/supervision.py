"""The portal's supervision pages (being written)."""

from __future__ import annotations

from flask import Blueprint, render_template

blueprint = Blueprint("portal_supervision", __name__, url_prefix="/public")


@blueprint.route("/reports")
def reports():
    return render_template("area_pending.html", title="reports")


@blueprint.route("/complaint")
def complaint():
    return render_template("area_pending.html", title="complaint")


@blueprint.route("/track")
def track():
    return render_template("area_pending.html", title="track")
