"""One mixin per resource. Each method describes its request; the client it is mixed into sends it."""

from .assets import AssetsMixin
from .datasets import DatasetsMixin
from .embeddings import EmbeddingsMixin
from .issues import IssuesMixin
from .labels import LabelsMixin
from .labelsets import LabelsetsMixin
from .raw import RawMixin
from .releases import ReleasesMixin
from .samples import UNASSIGNED, SamplesMixin
from .users import UsersMixin
from .workunits import WorkunitsMixin


class AllResources(UsersMixin, DatasetsMixin, LabelsetsMixin, SamplesMixin, LabelsMixin, IssuesMixin,
                   ReleasesMixin, WorkunitsMixin, AssetsMixin, EmbeddingsMixin, RawMixin):
    """Every API method of the SegmentsClient surface."""


__all__ = ["UNASSIGNED", "AllResources"]
