"""drop learning_outcome and item: second copies of every unit's outcomes and items that nothing read

Every reader takes a unit's outcomes and items from its stored document, through the typed unit
(lti_tool/catalogue/unit_doc.py). A downgrade brings the two tables back, filled from those documents.

Revision ID: 0019_drop_unit_copies
Revises: 0018_outbox_tenant
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_drop_unit_copies"
down_revision = "0018_outbox_tenant"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("item") as batch:
        batch.drop_index("ix_item_outcome_pk")
    op.drop_table("item")
    with op.batch_alter_table("learning_outcome") as batch:
        batch.drop_index("ix_learning_outcome_unit_pk")
    op.drop_table("learning_outcome")


def downgrade():
    outcomes = op.create_table(
        "learning_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_pk", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("esco", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["unit_pk"], ["unit.id"], name=op.f("fk_learning_outcome_unit_pk_unit"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_outcome")),
        sa.UniqueConstraint("unit_pk", "outcome_id", name=op.f("uq_learning_outcome_unit_pk_outcome_id")),
    )
    with op.batch_alter_table("learning_outcome") as batch:
        batch.create_index(batch.f("ix_learning_outcome_unit_pk"), ["unit_pk"], unique=False)
    items = op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outcome_pk", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["outcome_pk"], ["learning_outcome.id"],
                                name=op.f("fk_item_outcome_pk_learning_outcome"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint("outcome_pk", "item_id", name=op.f("uq_item_outcome_pk_item_id")),
    )
    with op.batch_alter_table("item") as batch:
        batch.create_index(batch.f("ix_item_outcome_pk"), ["outcome_pk"], unique=False)
    # Filled again from the unit documents, as the loader used to write them.
    connection = op.get_bind()
    units = sa.table("unit", sa.column("id", sa.Integer), sa.column("document", sa.JSON))
    for unit_pk, document in connection.execute(sa.select(units.c.id, units.c.document)).all():
        for position, outcome in enumerate(document.get("outcomes", [])):
            outcome_pk = connection.execute(outcomes.insert().values(
                unit_pk=unit_pk, outcome_id=outcome["id"], position=position, threshold=float(outcome["threshold"]),
                esco=list(outcome.get("esco", []))).returning(outcomes.c.id)).scalar_one()
            rows = [{"outcome_pk": outcome_pk, "item_id": item["id"], "position": item_position,
                     "type": item["type"], "definition": item, "answer": item.get("answer")}
                    for item_position, item in enumerate(outcome.get("items", []))]
            if rows:
                connection.execute(items.insert(), rows)
