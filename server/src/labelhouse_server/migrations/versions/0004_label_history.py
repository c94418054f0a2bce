"""label history: label_revisions and label_contents; every existing label gets revision 1

Revision ID: 0004_label_history
Revises: 0004_embeddings
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0004_label_history"
down_revision = "0004_embeddings"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "label_contents",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=16), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"], name=op.f("fk_label_contents_dataset_id_datasets"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dataset_id", "hash", name=op.f("pk_label_contents")),
    )
    op.create_table(
        "label_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("labelset_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("label_status", sa.String(length=32), nullable=True),
        sa.Column("attributes_hash", sa.LargeBinary(length=16), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["accounts.id"],
                                name=op.f("fk_label_revisions_created_by_id_accounts"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"], name=op.f("fk_label_revisions_dataset_id_datasets"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["labelset_id"], ["labelsets.id"],
                                name=op.f("fk_label_revisions_labelset_id_labelsets"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sample_id"], ["samples.id"], name=op.f("fk_label_revisions_sample_id_samples"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_revisions")),
        sa.UniqueConstraint("sample_id", "labelset_id", "revision",
                            name=op.f("uq_label_revisions_sample_id_labelset_id_revision")),
    )
    op.create_index(op.f("ix_label_revisions_dataset_id"), "label_revisions", ["dataset_id"])
    op.create_index(op.f("ix_label_revisions_labelset_id"), "label_revisions", ["labelset_id"])
    _backfill()


def _backfill() -> None:
    """Revision 1 ("created", the label as it is now) for every label that exists, in batches."""
    bind = op.get_bind()
    # ``sa.text`` on Alembic's bind, not ``db.sql.run``: a migration is frozen in time and imports no application
    # code that may change after it.
    revisions = sa.table("label_revisions", *(sa.column(c) for c in (
        "sample_id", "labelset_id", "dataset_id", "revision", "action", "label_status", "attributes_hash", "score",
        "created_by_id", "created_at")))
    after = 0
    while True:
        rows = bind.execute(sa.text(
            "SELECT id, sample_id, labelset_id, dataset_id, label_status, attributes, score, "
            "COALESCE(updated_by_id, created_by_id), updated_at FROM labels WHERE id > :after ORDER BY id LIMIT :n"
        ), {"after": after, "n": BATCH}).all()
        if not rows:
            return
        docs: dict[tuple[int, bytes], str] = {}
        revs = []
        for _id, sample_id, labelset_id, dataset_id, status, attributes, score, user_id, at in rows:
            text = attributes if attributes is not None else "null"
            digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
            docs[(dataset_id, digest)] = text
            revs.append({"sample_id": sample_id, "labelset_id": labelset_id, "dataset_id": dataset_id,
                         "revision": 1, "action": "created", "label_status": status, "attributes_hash": digest,
                         "score": score, "created_by_id": user_id, "created_at": at})
        bind.execute(sa.text("INSERT INTO label_contents (dataset_id, hash, attributes) VALUES (:d, :h, :t) "
                             "ON CONFLICT DO NOTHING"),
                     [{"d": d, "h": h, "t": t} for (d, h), t in docs.items()])
        bind.execute(revisions.insert(), revs)
        after = rows[-1][0]


def downgrade() -> None:
    op.drop_index(op.f("ix_label_revisions_labelset_id"), table_name="label_revisions")
    op.drop_index(op.f("ix_label_revisions_dataset_id"), table_name="label_revisions")
    op.drop_table("label_revisions")
    op.drop_table("label_contents")
