"""ORM models, one module per aggregate, sharing one metadata (for migrations)."""

from .base import Base, JSONText
from .catalog import DataRowAttachment, DataRowInfo, DataRowMetadata, MetadataOption, MetadataSchema, Task
from .datasets import Collaborator, Dataset, Labelset
from .embeddings import Embedding, EmbeddingVector
from .history import LabelContent, LabelRevision
from .releases import (
    Asset,
    Job,
    Release,
    ReleaseLabel,
    ReleaseLabelDigest,
    ReleaseSample,
    ReleaseSampleDigest,
)
from .samples import Issue, Label, Sample, Workunit
from .users import Account, ApiKey, OrganizationMember

__all__ = [
    "Account", "ApiKey", "Asset", "Base", "Collaborator", "DataRowAttachment", "DataRowInfo", "DataRowMetadata",
    "Dataset", "Embedding", "EmbeddingVector", "Issue", "JSONText", "Job", "Label", "LabelContent", "LabelRevision",
    "Labelset", "MetadataOption", "MetadataSchema", "OrganizationMember", "Release", "ReleaseLabel",
    "ReleaseLabelDigest", "ReleaseSample", "ReleaseSampleDigest", "Sample", "Task", "Workunit",
]
