"""The label review rule — the one place it is decided. Every path that writes a label asks ``may_write`` (label
PUT, PATCH and DELETE today; restores and imports call the same function).

``may_write(role, old_status, new_status)``: ``role`` is the caller's effective role on the dataset
(``datasets.permissions``), ``old_status`` the label's status before the write (``None``: no label yet) and
``new_status`` its status after (``None``: the label is deleted).

| role                          | may write                                                                       |
|-------------------------------|---------------------------------------------------------------------------------|
| viewer (public dataset)       | nothing                                                                         |
| labeler                       | create, change and delete labels, except: set a review decision (REVIEWED,      |
|                               | REJECTED, VERIFIED), change or delete an accepted label (REVIEWED, VERIFIED),   |
|                               | delete a REJECTED label. A REJECTED label may be fixed (set to LABELED, ...).   |
| reviewer, manager, admin,     | every transition                                                                |
| owner                         |                                                                                 |

Changing only the attributes or score of a label keeps its status: for a labeler, a REVIEWED label stays
off-limits whatever field the write touches. A refused write answers 403 ("You do not have permission ...").
"""

from __future__ import annotations

from ..datasets.permissions import can
from ..errors import Forbidden
from .schemas import LABEL_STATUSES, REVIEW_STATUSES

# A reviewer's acceptance: only reviewers and above may change or remove it.
ACCEPTED_STATUSES = frozenset({"REVIEWED", "VERIFIED"})


def may_write(role: str, old_status: str | None, new_status: str | None) -> bool:
    """Whether ``role`` may move a label from ``old_status`` to ``new_status`` (``None``: absent / deleted)."""
    if not can(role, "label"):
        return False
    if can(role, "review"):
        return True
    if new_status in REVIEW_STATUSES:  # recording (or keeping) a review decision
        return False
    if old_status in ACCEPTED_STATUSES:  # overwriting or deleting an accepted label
        return False
    # Removing a rejection is itself a review decision; fixing it (a new status) is the labeler's job.
    return not (new_status is None and old_status in REVIEW_STATUSES)


def require_write(role: str, old_status: str | None, new_status: str | None) -> None:
    """403 unless ``may_write``; the detail says which rule refused."""
    if may_write(role, old_status, new_status):
        return
    if not can(role, "label"):
        raise Forbidden()
    if new_status in REVIEW_STATUSES:
        why = f"only reviewers and above may set {new_status}"
    elif new_status is None:
        why = f"only reviewers and above may delete a {old_status} label"
    else:
        why = f"only reviewers and above may change a {old_status} label"
    raise Forbidden(f"You do not have permission to perform this action: {why}.")


def overwritable_by(role: str) -> frozenset[str]:
    """The existing statuses ``role`` may replace with a status it may set (used by the create-or-replace
    statement to refuse, atomically, a replace that raced with a review)."""
    return frozenset(s for s in LABEL_STATUSES if may_write(role, s, "LABELED"))


__all__ = ["ACCEPTED_STATUSES", "may_write", "overwritable_by", "require_write"]
