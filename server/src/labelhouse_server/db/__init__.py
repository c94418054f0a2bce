"""ORM models, one module per aggregate, sharing one metadata (for migrations)."""

from .base import Base, JSONText
from .catalog import DataRowAttachment, DataRowInfo, DataRowMetadata, MetadataOption, MetadataSchema, Task
from .datasets import Collaborator, Dataset, Labelset
from .embeddings import Embedding, EmbeddingVector
from .history import LabelContent, LabelRevision
from .models import (
    CatalogSlice,
    Model,
    ModelConfig,
    ModelRun,
    ModelRunDataRow,
    ModelRunImport,
    ProjectModelConfig,
)
from .ontologies import FeatureSchema, Ontology, OntologyFeature
from .projects import (
    AnnotationImport,
    Batch,
    LabelFeedback,
    Project,
    ProjectDataRow,
    ProjectLabelset,
    TaskQueue,
)
from .ratelimit import RateBucket
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
from .web import Password, QueueReservation, WebSession

__all__ = [
    "Account", "AnnotationImport", "ApiKey", "Asset", "Base", "Batch", "CatalogSlice", "Collaborator", "DataRowAttachment",
    "DataRowInfo", "DataRowMetadata", "Dataset", "Embedding", "EmbeddingVector", "FeatureSchema", "Issue", "JSONText",
    "Job", "Label", "LabelContent", "LabelFeedback", "LabelRevision", "Labelset", "MetadataOption", "MetadataSchema",
    "Model", "ModelConfig", "ModelRun", "ModelRunDataRow", "ModelRunImport", "Ontology", "OntologyFeature", "OrganizationMember",
    "Password", "Project", "ProjectDataRow", "ProjectLabelset", "ProjectModelConfig",
    "QueueReservation", "RateBucket", "Release", "ReleaseLabel", "ReleaseLabelDigest", "ReleaseSample", "ReleaseSampleDigest",
    "Sample", "Task", "TaskQueue", "WebSession", "Workunit",
]
