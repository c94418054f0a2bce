"""labelhouse SDK: a Segments.ai-compatible Python client for a labelhouse server.

>>> from labelhouse import SegmentsClient
>>> client = SegmentsClient("YOUR_API_KEY", api_url="http://localhost:8000/")
>>> for sample in client.iter_samples("jane/flowers"):
...     print(sample.name)
"""

from . import exceptions
from ._async import AsyncSegmentsClient
from ._version import __version__
from .client import SegmentsClient
from .exceptions import (
    AlreadyExistsError,
    APIConnectionError,
    APILimitError,
    AuthenticationError,
    AuthorizationError,
    CollaboratorError,
    ConflictError,
    InvalidModelError,
    InvalidRequestError,
    LabelhouseError,
    MissingContextError,
    NetworkError,
    NotFoundError,
    ReleaseFailedError,
    RequestTimeoutError,
    SegmentsError,
    ServerError,
    SubscriptionError,
    ValidationError,
)
from .models import (
    Category,
    Collaborator,
    Dataset,
    DeleteSamplesResponse,
    Embedding,
    ExportFormat,
    File,
    Issue,
    IssueStatus,
    Label,
    LabelRevision,
    Labelset,
    LabelStatus,
    LabelSummary,
    Release,
    ReleaseDiff,
    ReleaseDiffChange,
    ReleaseStatus,
    Role,
    Sample,
    SimilarSample,
    TaskAttributes,
    TaskType,
    User,
    Workunit,
)
from .release import ReleaseDataset, SegmentsDataset
from .resources import UNASSIGNED

__all__ = [
    "UNASSIGNED",
    "APIConnectionError",
    "APILimitError",
    "AlreadyExistsError",
    "AsyncSegmentsClient",
    "AuthenticationError",
    "AuthorizationError",
    # models and enums
    "Category",
    "Collaborator",
    "CollaboratorError",
    "ConflictError",
    "Dataset",
    "DeleteSamplesResponse",
    "Embedding",
    "ExportFormat",
    "File",
    "InvalidModelError",
    "InvalidRequestError",
    "Issue",
    "IssueStatus",
    "Label",
    "LabelRevision",
    "LabelStatus",
    "LabelSummary",
    "LabelhouseError",
    "Labelset",
    "MissingContextError",
    "NetworkError",
    "NotFoundError",
    "Release",
    "ReleaseDataset",
    "ReleaseDiff",
    "ReleaseDiffChange",
    "ReleaseFailedError",
    "ReleaseStatus",
    "RequestTimeoutError",
    "Role",
    "Sample",
    "SegmentsClient",
    # exceptions (``labelhouse.exceptions.TimeoutError`` is RequestTimeoutError under the seeds' name)
    "SegmentsDataset",
    "SegmentsError",
    "ServerError",
    "SimilarSample",
    "SubscriptionError",
    "TaskAttributes",
    "TaskType",
    "User",
    "ValidationError",
    "Workunit",
    "__version__",
    "exceptions",
]
