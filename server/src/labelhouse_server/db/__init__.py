"""ORM models, one module per aggregate, sharing one metadata (for migrations)."""

from .base import Base, JSONText
from .datasets import Collaborator, Dataset, Labelset
from .embeddings import Embedding, EmbeddingVector
from .releases import Asset, Job, Release, ReleaseLabel, ReleaseSample
from .samples import Issue, Label, Sample, Workunit
from .users import Account, ApiKey, OrganizationMember
from .web import Password, QueueReservation, WebSession

__all__ = [
    "Account", "ApiKey", "Asset", "Base", "Collaborator", "Dataset", "Embedding", "EmbeddingVector", "Issue",
    "JSONText", "Job", "Label", "Labelset", "OrganizationMember", "Password", "QueueReservation", "Release",
    "ReleaseLabel", "ReleaseSample", "Sample", "WebSession", "Workunit",
]
