"""Social value sums (social_value_sums): each buyer's commitments' figures added up per
measure, and per quarter, part of where it landed and council, kept in step with the figures
by lots.awards.figures in the same transaction, so that a place's page and the operator's
dashboard read a row per buyer and measure rather than a row per commitment (issue 17:
10,000 contracts and 500,000 returns). Built here from the figures already stored (a
commitment without figures is worked out from its records when read, as before, until
`flask social-value rebuild-figures` stores them and their sums). And the number of each
buyer's returns accepted from each supplier (social_value_return_counts, counted as each is
accepted; acceptance is final), with an index of the returns still moving, so that the
dashboards' returns by where they stand no longer count every return.

Revision ID: 0033_sv_figures
Revises: 0032_search2
"""

import json
from collections import defaultdict
from decimal import Context, Decimal, localcontext

import sqlalchemy as sa
from alembic import op

revision = "0033_sv_figures"
down_revision = "0032_search2"
branch_labels = None
depends_on = None

EXACT = Context(prec=120)


def upgrade():
    op.create_table(
        "social_value_sums",
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.String(length=40), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["organisations.id"],
            name=op.f("fk_social_value_sums_buyer_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "buyer_id", "measure_id", "dimension", "key", name=op.f("pk_social_value_sums")
        ),
    )
    _build()
    op.create_table(
        "social_value_return_counts",
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["organisations.id"],
            name=op.f("fk_social_value_return_counts_buyer_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["organisations.id"],
            name=op.f("fk_social_value_return_counts_supplier_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "buyer_id", "supplier_id", name=op.f("pk_social_value_return_counts")
        ),
    )
    op.execute(
        "INSERT INTO social_value_return_counts (buyer_id, supplier_id, accepted)"
        " SELECT c.buyer_id, c.supplier_id, count(*) FROM social_value_returns r"
        " JOIN contracts c ON c.id = r.contract_id WHERE r.status = 'accepted'"
        " GROUP BY c.buyer_id, c.supplier_id"
    )
    with op.batch_alter_table("social_value_returns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_social_value_returns_open",
            ["status", "period_end", "due_on", "contract_id"],
            unique=False,
            postgresql_where=sa.text("status <> 'accepted'"),
            sqlite_where=sa.text("status <> 'accepted'"),
        )


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _build():
    """The sums of the figures stored (as lots.awards.figures.contributions adds them up)."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT c.buyer_id, m.measure_id, m.promised, f.delivered, f.quarters, f.landing,"
            " f.councils FROM social_value_figures f"
            " JOIN social_value_commitments m ON m.id = f.commitment_id"
            " JOIN contracts c ON c.id = m.contract_id"
        )
    )
    sums = defaultdict(lambda: [Decimal(0), 0])
    with localcontext(EXACT):
        for buyer_id, measure_id, promised, delivered, quarters, landing, councils in rows:
            found = [("commitments", "", "0")]
            if promised is not None:
                found.append(("promised", "", str(promised)))
            if delivered is not None:
                found.append(("delivered", "", delivered))
            found += [("quarter", f"{y}-{q}", v) for y, q, v in _json(quarters) if v is not None]
            found += [("landing", k, v) for k, v in _json(landing).items() if v is not None]
            found += [("council", k, v) for k, v in _json(councils).items() if v is not None]
            for dimension, key, amount in found:
                row = sums[buyer_id, measure_id, dimension, key]
                row[0] += Decimal(amount)
                row[1] += 1
    table = sa.table(
        "social_value_sums",
        sa.column("buyer_id"),
        sa.column("measure_id"),
        sa.column("dimension"),
        sa.column("key"),
        sa.column("amount"),
        sa.column("n"),
    )
    values = [
        {"buyer_id": b, "measure_id": m, "dimension": d, "key": k, "amount": str(a), "n": n}
        for (b, m, d, k), (a, n) in sorted(sums.items())
    ]
    if values:
        op.bulk_insert(table, values)


def downgrade():
    with op.batch_alter_table("social_value_returns", schema=None) as batch_op:
        batch_op.drop_index("ix_social_value_returns_open")
    op.drop_table("social_value_return_counts")
    op.drop_table("social_value_sums")
