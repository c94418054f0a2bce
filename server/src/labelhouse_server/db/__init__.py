"""ORM models, one module per aggregate, sharing one metadata (for migrations)."""

from .base import Base, JSONText
from .datasets import Collaborator, Dataset, Labelset
from .ratelimit import RateBucket
from .releases import Asset, Job, Release, ReleaseLabel, ReleaseSample
from .samples import Issue, Label, Sample, Workunit
from .users import Account, ApiKey, OrganizationMember

__all__ = [
    "Account", "ApiKey", "Asset", "Base", "Collaborator", "Dataset", "Issue", "JSONText", "Job", "Label",
    "Labelset", "OrganizationMember", "RateBucket", "Release", "ReleaseLabel", "ReleaseSample", "Sample", "Workunit",
]
