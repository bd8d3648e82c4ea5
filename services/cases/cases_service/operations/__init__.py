"""The cases service's use cases: database work around the pure rules in ``rules.py``.

Each function takes a kernel ``Tx`` (or a read session), the settings and the caller's actor, and returns
contract-shaped dicts. Entry points in ``service.py`` only route to these. Questions for the personnel service
(certificates, legal reviewers, agencies) are asked before anything is written, so a refusal or an unreachable
personnel service leaves nothing behind.

Where things live: ``common`` (settings, promptness kinds, agencies), ``catalogue`` (items, benchmarks, lenient and
major-decision lists), ``cases`` (cases, legal review, publication), ``deadlines`` (the deadline watch),
``transfers``, ``inspections``, ``reviews`` (case-file review), ``imports`` (spreadsheet import), ``promptness``
(figures for supervision) and ``seed``. Every public name is re-exported here, so callers use ``operations.<name>``.
"""
from .cases import (
    ACTING_STAGES, DATE_FIELDS, case_dates, case_dict, case_facts, decide_case, decision_due_on, get_case, list_cases,
    prior_cases, public_decisions, publish_decision, read_case, record_legal_review, report_case, report_dates,
    require_case_read, revoke_decision, update_case, withdraw_publication,
)
from .catalogue import (
    add_lenient_entry, add_major_rule, benchmark_dict, benchmark_in_force, cancel_item, change_item, create_item,
    dormant_items, get_item, get_type, item_dict, item_versions, list_items, list_lenient, list_major_rules, list_types,
    lists_in_force, major_rules, read_benchmarks, read_item, remove_lenient_entry, remove_major_rule, set_benchmark,
)
from .common import (
    KIND_DECIDED, KIND_PUBLISHED, KIND_SERVED, KIND_TRANSFER_ACKNOWLEDGED, KIND_TRANSFER_DECIDED,
    KIND_TRANSFER_HANDED_OVER, KIND_WITHDRAWN, SERVICE, Settings, cipher_from_config, ensure_agency,
    refresh_agencies,
)
from .deadlines import CASE_WATCHED_KINDS, TRANSFER_WATCHED_KINDS, WATCHED_KINDS, watch_deadlines
from .imports import DryRun, import_cases
from .inspections import (
    get_draw, inspection_history, list_inspections, make_draw, publish_draw, read_draw, record_inspection, replay_draw,
    upload_directory,
)
from .promptness import REVERSING_GROUNDS, agency_case_facts, case_when, promptness_table, yearly_statistics
from .reviews import (
    assign_reviewers, create_checklist, draw_review_batch, get_batch, list_checklists, list_review_files, read_batch,
    score_review_file,
)
from .seed import seed_checklist, seed_types
from .transfers import (
    acknowledge_transfer, decide_transfer, get_transfer, hand_over_transfer, list_transfers, propose_transfer,
    read_transfer, transfer_dict,
)

__all__ = [
    "ACTING_STAGES", "DATE_FIELDS", "case_dates", "case_dict", "case_facts", "decide_case", "decision_due_on",
    "get_case", "list_cases", "prior_cases", "public_decisions", "publish_decision", "read_case", "record_legal_review",
    "report_case", "report_dates", "require_case_read", "revoke_decision", "update_case", "withdraw_publication",
    "add_lenient_entry", "add_major_rule", "benchmark_dict", "benchmark_in_force", "cancel_item", "change_item",
    "create_item", "dormant_items", "get_item", "get_type", "item_dict", "item_versions", "list_items", "list_lenient",
    "list_major_rules", "list_types", "lists_in_force", "major_rules", "read_benchmarks", "read_item",
    "remove_lenient_entry", "remove_major_rule", "set_benchmark",
    "KIND_DECIDED", "KIND_PUBLISHED", "KIND_SERVED", "KIND_TRANSFER_ACKNOWLEDGED", "KIND_TRANSFER_DECIDED",
    "KIND_TRANSFER_HANDED_OVER", "KIND_WITHDRAWN", "SERVICE", "Settings", "cipher_from_config",
    "ensure_agency", "refresh_agencies",
    "CASE_WATCHED_KINDS", "TRANSFER_WATCHED_KINDS", "WATCHED_KINDS", "watch_deadlines",
    "DryRun", "import_cases",
    "get_draw", "inspection_history", "list_inspections", "make_draw", "publish_draw", "read_draw", "record_inspection",
    "replay_draw", "upload_directory",
    "REVERSING_GROUNDS", "agency_case_facts", "case_when", "promptness_table", "yearly_statistics",
    "assign_reviewers", "create_checklist", "draw_review_batch", "get_batch", "list_checklists", "list_review_files",
    "read_batch", "score_review_file",
    "seed_checklist", "seed_types",
    "acknowledge_transfer", "decide_transfer", "get_transfer", "hand_over_transfer", "list_transfers",
    "propose_transfer", "read_transfer", "transfer_dict",
]
