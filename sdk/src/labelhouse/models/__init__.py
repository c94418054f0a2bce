"""Typed response models (pydantic v2). Every model supports ``obj.field`` and ``obj["field"]``."""

from ._base import Model
from .assets import File, PresignedPostFields
from .datasets import Collaborator, Dataset, Labelset, LabelStats, TaskAttributeCategory, TaskAttributes
from .enums import Category, ExportFormat, IssueStatus, LabelStatus, ReleaseStatus, Role, Subscription, TaskType
from .issues import Issue, IssueComment
from .releases import URL, Release
from .samples import DeleteSamplesResponse, Label, LabelSummary, Sample
from .users import Owner, User
from .workunits import Workunit

__all__ = [
    "Model",
    "File",
    "PresignedPostFields",
    "Collaborator",
    "Dataset",
    "Labelset",
    "LabelStats",
    "TaskAttributeCategory",
    "TaskAttributes",
    "Category",
    "ExportFormat",
    "IssueStatus",
    "LabelStatus",
    "ReleaseStatus",
    "Role",
    "Subscription",
    "TaskType",
    "Issue",
    "IssueComment",
    "URL",
    "Release",
    "DeleteSamplesResponse",
    "Label",
    "LabelSummary",
    "Sample",
    "Owner",
    "User",
    "Workunit",
]
