"""Wire shapes of embeddings and similarity search (REST). Requests are validated here; responses are built by
the service as dicts and documented by the ``...Public`` models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EmbeddingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Unique among the owner's embeddings; no '/'.")
    dims: int = Field(description="Number of dimensions of every vector (1-4096).")
    metric: str = Field(default="cosine", description="cosine | euclidean | dot")
    description: str = ""


class EmbeddingIndexPublic(BaseModel):
    version: int = Field(description="Grows with each index build; 0 = no index yet (searches are exact).")
    vectors: int = Field(description="Vectors in the current index file.")
    built_at: str | None
    rebuilding: bool = Field(description="A rebuild is queued or running.")


class EmbeddingPublic(BaseModel):
    name: str
    full_name: str = Field(description="owner/name")
    owner: str
    description: str
    dims: int
    metric: str
    vectors_count: int
    role: str = Field(description="The caller's role: owner, or the membership role in the owning organization.")
    index: EmbeddingIndexPublic
    created_at: str
    updated_at: str


class VectorItem(BaseModel):
    sample_uuid: str
    vector: list[float]


class VectorsUpload(BaseModel):
    vectors: list[VectorItem] = Field(description="At most 10,000 per request; a sample's newer vector replaces "
                                                  "its older one.")


class VectorsWritten(BaseModel):
    written: int = Field(description="Vectors inserted or replaced (GET the embedding for its vectors_count).")


class SimilarSamplesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vector: list[float] | None = Field(default=None, description="Search by this vector ...")
    sample_uuid: str | None = Field(default=None, description="... or by this sample's own vector (the sample "
                                                               "itself is left out of the results).")
    k: int = Field(default=10, description="How many results (1-1000).")
    dataset: str | None = Field(default=None, description="Only samples of this dataset ('owner/name'); default: "
                                                          "every dataset the caller can read.")
    metadata: dict[str, Any] | None = Field(default=None, description="Only samples whose metadata has these "
                                                                      "values (compared as text, like sample "
                                                                      "listings' metadata filter).")


class SimilarSample(BaseModel):
    distance: float = Field(description="cosine: 1 - cos; euclidean: squared distance; dot: 1 - a·b. Smaller is "
                                        "closer.")
    sample: dict[str, Any] = Field(description="The sample, as GET /samples/{uuid}/ returns it.")


class SimilarSamplesPublic(BaseModel):
    embedding: str
    metric: str
    results: list[SimilarSample]
