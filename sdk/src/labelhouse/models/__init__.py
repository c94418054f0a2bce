"""Typed response models (pydantic v2). Every model supports ``obj.field`` and ``obj["field"]``."""

from ._base import Model
from .assets import File, PresignedPostFields
from .datasets import Collaborator, Dataset, Labelset, LabelStats, TaskAttributeCategory, TaskAttributes
from .embeddings import Embedding, EmbeddingIndex, SimilarSample
from .enums import (
    Category,
    ExportFormat,
    IssueStatus,
    LabelStatus,
    ReleaseStatus,
    Role,
    Subscription,
    TaskType,
)
from .history import AnnotationChanges, DiffCounts, LabelRevision, ReleaseDiff, ReleaseDiffChange
from .issues import Issue, IssueComment
from .releases import URL, Release
from .samples import DeleteSamplesResponse, Label, LabelSummary, Sample
from .users import Owner, User
from .workunits import Workunit

__all__ = [
    "URL",
    "AnnotationChanges",
    "Category",
    "Collaborator",
    "Dataset",
    "DeleteSamplesResponse",
    "DiffCounts",
    "Embedding",
    "EmbeddingIndex",
    "ExportFormat",
    "File",
    "Issue",
    "IssueComment",
    "IssueStatus",
    "Label",
    "LabelRevision",
    "LabelStats",
    "LabelStatus",
    "LabelSummary",
    "Labelset",
    "Model",
    "Owner",
    "PresignedPostFields",
    "Release",
    "ReleaseDiff",
    "ReleaseDiffChange",
    "ReleaseStatus",
    "Role",
    "Sample",
    "SimilarSample",
    "Subscription",
    "TaskAttributeCategory",
    "TaskAttributes",
    "TaskType",
    "User",
    "Workunit",
]
