"""Social value coverage (social_value_coverage): per buyer and measure, how many commitments
there are and how many of them have stored figures, and a stamp that changes whenever a
commitment, a figure or a sum of that buyer's measure changes, kept by triggers (PostgreSQL and
SQLite), so that whatever writes the rows (the services, a repair, SQL by hand) is counted.
A place's page and the operator's dashboard read these few rows instead of joining every
commitment to its contract and figures to find whether the sums cover every commitment (issue
17: 10,000 contracts), and keep what they worked out from the sums under the stamps they read
(insight.reports): any change to what the figures come from gives a new stamp.

A commitment being deleted takes its figure off before the row goes (BEFORE DELETE: on
PostgreSQL the cascade deletes the figure after the commitment, when the figure's trigger can no
longer find the commitment's buyer; SQLite does not cascade unless foreign keys are on, and an
orphan figure is then not counted either way). A contract given to another buyer moves its
commitments' counts; any other change to a commitment (its promise) stamps. Stamps come from a sequence on PostgreSQL and are random on SQLite.

And a stamp per buyer (social_value_return_stamps) that changes with any change to its
contracts' returns or its numbers of accepted returns (on PostgreSQL once per statement), under
which the operator's dashboard keeps the returns counted by where they stand on a day.

Built here from the rows already held.

Revision ID: 0035_sv4
Revises: 0034_spend4
"""

import sqlalchemy as sa
from alembic import op

revision = "0035_sv4"
down_revision = "0034_spend4"
branch_labels = None
depends_on = None

BUILD = """
INSERT INTO social_value_coverage (buyer_id, measure_id, commitments, figured, stamp)
SELECT c.buyer_id, m.measure_id, count(*), count(f.commitment_id), 0
FROM social_value_commitments m
JOIN contracts c ON c.id = m.contract_id
LEFT JOIN social_value_figures f ON f.commitment_id = m.id
GROUP BY c.buyer_id, m.measure_id
"""

POSTGRESQL = [
    "CREATE SEQUENCE social_value_stamps",
    """
CREATE FUNCTION social_value_cover(b integer, m varchar, dc integer, df integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF b IS NULL OR m IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO social_value_coverage AS v (buyer_id, measure_id, commitments, figured, stamp)
    VALUES (b, m, dc, df, nextval('social_value_stamps'))
    ON CONFLICT (buyer_id, measure_id) DO UPDATE
    SET commitments = v.commitments + dc, figured = v.figured + df,
        stamp = nextval('social_value_stamps');
END $$
""",
    """
CREATE FUNCTION social_value_commitment_covered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM social_value_cover(
            (SELECT buyer_id FROM contracts WHERE id = OLD.contract_id), OLD.measure_id, -1,
            -(SELECT count(*) FROM social_value_figures WHERE commitment_id = OLD.id)::integer);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM social_value_cover(
            (SELECT buyer_id FROM contracts WHERE id = NEW.contract_id), NEW.measure_id, 1,
            (SELECT count(*) FROM social_value_figures WHERE commitment_id = NEW.id)::integer);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$
""",
    "CREATE TRIGGER social_value_commitment_added AFTER INSERT ON social_value_commitments"
    " FOR EACH ROW EXECUTE FUNCTION social_value_commitment_covered()",
    "CREATE TRIGGER social_value_commitment_moved AFTER UPDATE ON social_value_commitments"
    " FOR EACH ROW EXECUTE FUNCTION social_value_commitment_covered()",
    "CREATE TRIGGER social_value_commitment_deleted BEFORE DELETE ON social_value_commitments"
    " FOR EACH ROW EXECUTE FUNCTION social_value_commitment_covered()",
    """
CREATE FUNCTION social_value_figure_covered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM social_value_cover(c.buyer_id, m.measure_id, 0, -1)
        FROM social_value_commitments m JOIN contracts c ON c.id = m.contract_id
        WHERE m.id = OLD.commitment_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM social_value_cover(c.buyer_id, m.measure_id, 0, 1)
        FROM social_value_commitments m JOIN contracts c ON c.id = m.contract_id
        WHERE m.id = NEW.commitment_id;
    END IF;
    RETURN NULL;
END $$
""",
    "CREATE TRIGGER social_value_figure_counted"
    " AFTER INSERT OR DELETE OR UPDATE OF commitment_id ON social_value_figures"
    " FOR EACH ROW EXECUTE FUNCTION social_value_figure_covered()",
    # Any other change to a figure (its amounts) is followed by its sums' change in the same
    # transaction, which stamps; stamped here as well, so that a figure changed by hand is too.
    """
CREATE FUNCTION social_value_figure_stamped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM social_value_cover(c.buyer_id, m.measure_id, 0, 0)
    FROM social_value_commitments m JOIN contracts c ON c.id = m.contract_id
    WHERE m.id = NEW.commitment_id;
    RETURN NULL;
END $$
""",
    "CREATE TRIGGER social_value_figure_changed AFTER UPDATE ON social_value_figures"
    " FOR EACH ROW EXECUTE FUNCTION social_value_figure_stamped()",
    """
CREATE FUNCTION social_value_sum_stamped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM social_value_cover(OLD.buyer_id, OLD.measure_id, 0, 0);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM social_value_cover(NEW.buyer_id, NEW.measure_id, 0, 0);
    END IF;
    RETURN NULL;
END $$
""",
    "CREATE TRIGGER social_value_sum_changed AFTER INSERT OR UPDATE OR DELETE"
    " ON social_value_sums FOR EACH ROW EXECUTE FUNCTION social_value_sum_stamped()",
    """
CREATE FUNCTION social_value_contract_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM social_value_cover(OLD.buyer_id, m.measure_id, -1,
            -(SELECT count(*) FROM social_value_figures f WHERE f.commitment_id = m.id)::integer),
        social_value_cover(NEW.buyer_id, m.measure_id, 1,
            (SELECT count(*) FROM social_value_figures f WHERE f.commitment_id = m.id)::integer)
    FROM social_value_commitments m WHERE m.contract_id = NEW.id;
    RETURN NULL;
END $$
""",
    "CREATE TRIGGER social_value_contract_moved AFTER UPDATE OF buyer_id ON contracts"
    " FOR EACH ROW WHEN (OLD.buyer_id IS DISTINCT FROM NEW.buyer_id)"
    " EXECUTE FUNCTION social_value_contract_moved()",
]

# The returns: a stamp per buyer that changes with any change to its contracts' returns or
# to its numbers of accepted returns. On PostgreSQL once per statement (the schedule of a
# contract, or a seeding, writes many returns at once).
RETURN_STAMP = """
INSERT INTO social_value_return_stamps AS s (buyer_id, stamp)
SELECT b, nextval('social_value_stamps')
FROM (SELECT DISTINCT c.buyer_id AS b FROM {rows} r JOIN contracts c ON c.id = r.contract_id) x
ON CONFLICT (buyer_id) DO UPDATE SET stamp = EXCLUDED.stamp
"""

POSTGRESQL += [
    f"""
CREATE FUNCTION social_value_returns_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {RETURN_STAMP.format(rows=rows)};
    RETURN NULL;
END $$
"""
    for name, rows in (
        ("added", "new_rows"),
        ("deleted", "old_rows"),
        ("changed", "(SELECT contract_id FROM old_rows UNION SELECT contract_id FROM new_rows)"),
    )
] + [
    "CREATE TRIGGER social_value_returns_added AFTER INSERT ON social_value_returns"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION social_value_returns_added()",
    "CREATE TRIGGER social_value_returns_deleted AFTER DELETE ON social_value_returns"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION social_value_returns_deleted()",
    "CREATE TRIGGER social_value_returns_changed AFTER UPDATE ON social_value_returns"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION social_value_returns_changed()",
    """
CREATE FUNCTION social_value_return_count_stamped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO social_value_return_stamps AS s (buyer_id, stamp)
    SELECT b, nextval('social_value_stamps')
    FROM (SELECT OLD.buyer_id AS b WHERE TG_OP <> 'INSERT'
          UNION SELECT NEW.buyer_id WHERE TG_OP <> 'DELETE') x
    ON CONFLICT (buyer_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    RETURN NULL;
END $$
""",
    "CREATE TRIGGER social_value_return_count_changed"
    " AFTER INSERT OR UPDATE OR DELETE ON social_value_return_counts"
    " FOR EACH ROW EXECUTE FUNCTION social_value_return_count_stamped()",
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS social_value_return_count_changed ON social_value_return_counts",
    "DROP TRIGGER IF EXISTS social_value_returns_changed ON social_value_returns",
    "DROP TRIGGER IF EXISTS social_value_returns_deleted ON social_value_returns",
    "DROP TRIGGER IF EXISTS social_value_returns_added ON social_value_returns",
    "DROP FUNCTION IF EXISTS social_value_return_count_stamped()",
    "DROP FUNCTION IF EXISTS social_value_returns_changed()",
    "DROP FUNCTION IF EXISTS social_value_returns_deleted()",
    "DROP FUNCTION IF EXISTS social_value_returns_added()",
    "DROP TRIGGER IF EXISTS social_value_contract_moved ON contracts",
    "DROP TRIGGER IF EXISTS social_value_sum_changed ON social_value_sums",
    "DROP TRIGGER IF EXISTS social_value_figure_changed ON social_value_figures",
    "DROP TRIGGER IF EXISTS social_value_figure_counted ON social_value_figures",
    "DROP TRIGGER IF EXISTS social_value_commitment_deleted ON social_value_commitments",
    "DROP TRIGGER IF EXISTS social_value_commitment_moved ON social_value_commitments",
    "DROP TRIGGER IF EXISTS social_value_commitment_added ON social_value_commitments",
    "DROP FUNCTION IF EXISTS social_value_contract_moved()",
    "DROP FUNCTION IF EXISTS social_value_sum_stamped()",
    "DROP FUNCTION IF EXISTS social_value_figure_stamped()",
    "DROP FUNCTION IF EXISTS social_value_figure_covered()",
    "DROP FUNCTION IF EXISTS social_value_commitment_covered()",
    "DROP FUNCTION IF EXISTS social_value_cover(integer, varchar, integer, integer)",
    "DROP SEQUENCE IF EXISTS social_value_stamps",
]


def _sqlite_cover(pairs, commitments="0", figured="0"):
    """SQLite statements that add to the coverage of the (b, m) rows ``pairs`` selects and
    stamp them."""
    return f"""
    INSERT OR IGNORE INTO social_value_coverage (buyer_id, measure_id, commitments, figured,
                                                 stamp)
    SELECT b, m, 0, 0, 0 FROM ({pairs}) WHERE b IS NOT NULL AND m IS NOT NULL;
    UPDATE social_value_coverage
    SET commitments = commitments + ({commitments}), figured = figured + ({figured}),
        stamp = random()
    WHERE EXISTS (SELECT 1 FROM ({pairs}) p
                  WHERE p.b = social_value_coverage.buyer_id
                    AND p.m = social_value_coverage.measure_id);
    """


def _of_commitment(row):
    return (
        "SELECT c.buyer_id AS b, m.measure_id AS m FROM social_value_commitments m"
        f" JOIN contracts c ON c.id = m.contract_id WHERE m.id = {row}.commitment_id"
    )


def _commitment(row):
    return (
        f"SELECT c.buyer_id AS b, {row}.measure_id AS m FROM contracts c"
        f" WHERE c.id = {row}.contract_id"
    )


def _figures_of(row):
    return f"(SELECT count(*) FROM social_value_figures WHERE commitment_id = {row}.id)"


def _moved(buyer, sign):
    # Per measure of the contract: its commitments, and those of them with figures.
    commitments = (
        "SELECT count(*) FROM social_value_commitments x WHERE x.contract_id = NEW.id"
        " AND x.measure_id = social_value_coverage.measure_id"
    )
    figured = (
        "SELECT count(*) FROM social_value_commitments x JOIN social_value_figures f"
        " ON f.commitment_id = x.id WHERE x.contract_id = NEW.id"
        " AND x.measure_id = social_value_coverage.measure_id"
    )
    return _sqlite_cover(
        f"SELECT DISTINCT {buyer}.buyer_id AS b, measure_id AS m"
        " FROM social_value_commitments WHERE contract_id = NEW.id",
        f"{sign}({commitments})",
        f"{sign}({figured})",
    )


SQLITE = [
    "CREATE TRIGGER social_value_commitment_added AFTER INSERT ON social_value_commitments"
    f" BEGIN {_sqlite_cover(_commitment('NEW'), '1', _figures_of('NEW'))} END",
    "CREATE TRIGGER social_value_commitment_moved AFTER UPDATE ON social_value_commitments"
    " BEGIN"
    f" {_sqlite_cover(_commitment('OLD'), '-1', '-' + _figures_of('OLD'))}"
    f" {_sqlite_cover(_commitment('NEW'), '1', _figures_of('NEW'))} END",
    "CREATE TRIGGER social_value_commitment_deleted BEFORE DELETE ON social_value_commitments"
    f" BEGIN {_sqlite_cover(_commitment('OLD'), '-1', '-' + _figures_of('OLD'))} END",
    "CREATE TRIGGER social_value_figure_added AFTER INSERT ON social_value_figures"
    f" BEGIN {_sqlite_cover(_of_commitment('NEW'), '0', '1')} END",
    "CREATE TRIGGER social_value_figure_deleted AFTER DELETE ON social_value_figures"
    f" BEGIN {_sqlite_cover(_of_commitment('OLD'), '0', '-1')} END",
    "CREATE TRIGGER social_value_figure_changed AFTER UPDATE ON social_value_figures BEGIN"
    f" {_sqlite_cover(_of_commitment('OLD'), '0', '-1')}"
    f" {_sqlite_cover(_of_commitment('NEW'), '0', '1')} END",
    "CREATE TRIGGER social_value_sum_added AFTER INSERT ON social_value_sums"
    f" BEGIN {_sqlite_cover('SELECT NEW.buyer_id AS b, NEW.measure_id AS m')} END",
    "CREATE TRIGGER social_value_sum_changed AFTER UPDATE ON social_value_sums BEGIN"
    f" {_sqlite_cover('SELECT OLD.buyer_id AS b, OLD.measure_id AS m')}"
    f" {_sqlite_cover('SELECT NEW.buyer_id AS b, NEW.measure_id AS m')} END",
    "CREATE TRIGGER social_value_sum_deleted AFTER DELETE ON social_value_sums"
    f" BEGIN {_sqlite_cover('SELECT OLD.buyer_id AS b, OLD.measure_id AS m')} END",
    "CREATE TRIGGER social_value_contract_moved AFTER UPDATE OF buyer_id ON contracts"
    " WHEN OLD.buyer_id IS NOT NEW.buyer_id"
    f" BEGIN {_moved('OLD', '-')} {_moved('NEW', '')} END",
]


def _sqlite_return_stamp(pairs):
    return (
        "INSERT OR REPLACE INTO social_value_return_stamps (buyer_id, stamp)"
        f" SELECT b, random() FROM ({pairs}) WHERE b IS NOT NULL;"
    )


def _return_buyer(row):
    return f"SELECT buyer_id AS b FROM contracts WHERE id = {row}.contract_id"


SQLITE += [
    "CREATE TRIGGER social_value_returns_added AFTER INSERT ON social_value_returns"
    f" BEGIN {_sqlite_return_stamp(_return_buyer('NEW'))} END",
    "CREATE TRIGGER social_value_returns_deleted AFTER DELETE ON social_value_returns"
    f" BEGIN {_sqlite_return_stamp(_return_buyer('OLD'))} END",
    "CREATE TRIGGER social_value_returns_changed AFTER UPDATE ON social_value_returns BEGIN"
    f" {_sqlite_return_stamp(_return_buyer('OLD'))}"
    f" {_sqlite_return_stamp(_return_buyer('NEW'))} END",
    "CREATE TRIGGER social_value_return_count_added AFTER INSERT ON social_value_return_counts"
    f" BEGIN {_sqlite_return_stamp('SELECT NEW.buyer_id AS b')} END",
    "CREATE TRIGGER social_value_return_count_deleted AFTER DELETE ON social_value_return_counts"
    f" BEGIN {_sqlite_return_stamp('SELECT OLD.buyer_id AS b')} END",
    "CREATE TRIGGER social_value_return_count_changed AFTER UPDATE ON social_value_return_counts"
    f" BEGIN {_sqlite_return_stamp('SELECT OLD.buyer_id AS b')}"
    f" {_sqlite_return_stamp('SELECT NEW.buyer_id AS b')} END",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS " + name
    for name in (
        "social_value_return_count_changed",
        "social_value_return_count_deleted",
        "social_value_return_count_added",
        "social_value_returns_changed",
        "social_value_returns_deleted",
        "social_value_returns_added",
        "social_value_contract_moved",
        "social_value_sum_deleted",
        "social_value_sum_changed",
        "social_value_sum_added",
        "social_value_figure_changed",
        "social_value_figure_deleted",
        "social_value_figure_added",
        "social_value_commitment_deleted",
        "social_value_commitment_moved",
        "social_value_commitment_added",
    )
]


def upgrade():
    op.create_table(
        "social_value_coverage",
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.String(length=40), nullable=False),
        sa.Column("commitments", sa.Integer(), nullable=False),
        sa.Column("figured", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("buyer_id", "measure_id", name=op.f("pk_social_value_coverage")),
    )
    op.execute(BUILD)
    op.create_table(
        "social_value_return_stamps",
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("buyer_id", name=op.f("pk_social_value_return_stamps")),
    )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL if dialect == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_DROP if dialect == "postgresql" else SQLITE_DROP:
        op.execute(statement)
    op.drop_table("social_value_return_stamps")
    op.drop_table("social_value_coverage")
