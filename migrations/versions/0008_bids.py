"""Bids, evaluation and award (lots)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 06:40:00

On PostgreSQL a submission is stamped with the database's clock when written, and a deferred
constraint trigger refuses the COMMIT if the database's clock has reached the opportunity's
deadline by then: the deadline is enforced at the moment of commit, whatever the app's clock says.
"""
from alembic import op
import sqlalchemy as sa
import app.types


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STAMP_AND_DEADLINE = """
CREATE FUNCTION bid_submission_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.submitted_at := clock_timestamp();
    RETURN NEW;
END $$;
CREATE TRIGGER bid_submission_stamp BEFORE INSERT ON bid_submissions
    FOR EACH ROW EXECUTE FUNCTION bid_submission_stamp();

CREATE FUNCTION bid_submission_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    deadline timestamptz;
BEGIN
    SELECT submission_deadline INTO deadline FROM opportunities WHERE id = NEW.opportunity_id;
    IF deadline IS NULL OR clock_timestamp() >= deadline THEN
        RAISE EXCEPTION 'bid submission committed after the deadline'
            USING ERRCODE = 'VB001', DETAIL = 'deadline ' || coalesce(deadline::text, 'none');
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER bid_submission_deadline AFTER INSERT ON bid_submissions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bid_submission_deadline();
"""

DROP_STAMP_AND_DEADLINE = """
DROP TRIGGER IF EXISTS bid_submission_deadline ON bid_submissions;
DROP FUNCTION IF EXISTS bid_submission_deadline();
DROP TRIGGER IF EXISTS bid_submission_stamp ON bid_submissions;
DROP FUNCTION IF EXISTS bid_submission_stamp();
"""


def upgrade():
    op.create_table('bids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'withdrawn', name='bid_status', native_enum=False, length=20), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('pass_fail', sa.JSON(), nullable=False),
    sa.Column('total_price_pence', sa.BigInteger(), nullable=True),
    sa.Column('line_prices', sa.JSON(), nullable=False),
    sa.Column('social_value', sa.JSON(), nullable=False),
    sa.Column('attachment_ids', sa.JSON(), nullable=False),
    sa.Column('current_submission_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status <> 'submitted' OR current_submission_id IS NOT NULL", name=op.f('ck_bids_submitted_has_snapshot')),
    sa.CheckConstraint('total_price_pence IS NULL OR total_price_pence > 0', name=op.f('ck_bids_price_positive')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_bids_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_bids_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_bids_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bids')),
    sa.UniqueConstraint('opportunity_id', 'organisation_id', name='uq_bids_one_per_supplier')
    )
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bids_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bids_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('value_pence', sa.BigInteger(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('supplier_is_vcse', sa.Boolean(), nullable=False),
    sa.Column('supplier_is_sme', sa.Boolean(), nullable=False),
    sa.Column('supplier_region_code', sa.String(length=10), nullable=True),
    sa.Column('entered_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_contracts_dates_in_order')),
    sa.CheckConstraint('value_pence > 0', name=op.f('ck_contracts_value_positive')),
    sa.ForeignKeyConstraint(['buyer_id'], ['organisations.id'], name=op.f('fk_contracts_buyer_id_organisations')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_contracts_lot_id_lots')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_contracts_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['supplier_id'], ['organisations.id'], name=op.f('fk_contracts_supplier_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('opportunity_id', name=op.f('uq_contracts_opportunity_id'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('evaluations',
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('abnormally_low_percent', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_evaluations_opened_by_id_users')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_evaluations_opportunity_id_opportunities')),
    sa.PrimaryKeyConstraint('opportunity_id', name=op.f('pk_evaluations'))
    )
    op.create_table('evaluator_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_moderator', sa.Boolean(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('declaration', sa.Enum('pending', 'no_conflict', 'conflict', name='conflict_declaration', native_enum=False, length=20), nullable=False),
    sa.Column('conflict_details', sa.Text(), nullable=True),
    sa.Column('declared_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('scores_submitted_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("declaration <> 'conflict' OR conflict_details IS NOT NULL", name=op.f('ck_evaluator_assignments_conflict_details')),
    sa.CheckConstraint("declaration = 'pending' OR declared_at IS NOT NULL", name=op.f('ck_evaluator_assignments_declared_time')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_evaluator_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_evaluator_assignments_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluator_assignments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluator_assignments')),
    sa.UniqueConstraint('opportunity_id', 'user_id', name=op.f('uq_evaluator_assignments_opportunity_id_user_id'))
    )
    with op.batch_alter_table('evaluator_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluator_assignments_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluator_assignments_user_id'), ['user_id'], unique=False)

    op.create_table('award_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('successful', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_award_letters_bid_id_bids')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_award_letters_document_id_documents')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_award_letters_opportunity_id_opportunities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_letters')),
    sa.UniqueConstraint('opportunity_id', 'bid_id', name=op.f('uq_award_letters_opportunity_id_bid_id'))
    )
    with op.batch_alter_table('award_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_letters_opportunity_id'), ['opportunity_id'], unique=False)

    op.create_table('awards',
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('winner_bid_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'confirmed', 'contracted', name='award_status', native_enum=False, length=20), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('standstill_ends_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status = 'proposed' OR confirmed_at IS NOT NULL", name=op.f('ck_awards_confirmed_time')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_awards_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_awards_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_awards_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['winner_bid_id'], ['bids.id'], name=op.f('fk_awards_winner_bid_id_bids')),
    sa.PrimaryKeyConstraint('opportunity_id', name=op.f('pk_awards'))
    )
    op.create_table('bid_exclusions',
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_bid_exclusions_bid_id_bids')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_bid_exclusions_decided_by_id_users')),
    sa.PrimaryKeyConstraint('bid_id', name=op.f('pk_bid_exclusions'))
    )
    op.create_table('bid_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('consortium_member', 'subcontractor', name='partner_role', native_enum=False, length=30), nullable=False),
    sa.Column('partner_organisation_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('share_percent', sa.Integer(), nullable=False),
    sa.CheckConstraint('share_percent BETWEEN 1 AND 99', name=op.f('ck_bid_partners_share_range')),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_bid_partners_bid_id_bids'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_organisation_id'], ['organisations.id'], name=op.f('fk_bid_partners_partner_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid_partners'))
    )
    with op.batch_alter_table('bid_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_partners_bid_id'), ['bid_id'], unique=False)

    op.create_table('bid_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_bid_submissions_bid_id_bids')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_bid_submissions_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_bid_submissions_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_bid_submissions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid_submissions')),
    sa.UniqueConstraint('bid_id', 'version', name=op.f('uq_bid_submissions_bid_id_version'))
    )
    with op.batch_alter_table('bid_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_submissions_bid_id'), ['bid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bid_submissions_opportunity_id'), ['opportunity_id'], unique=False)

    op.create_table('consensus_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('moderated_by_id', sa.Integer(), nullable=False),
    sa.Column('moderated_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score >= 0', name=op.f('ck_consensus_scores_score_positive')),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_consensus_scores_bid_id_bids')),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_consensus_scores_moderated_by_id_users')),
    sa.ForeignKeyConstraint(['question_id'], ['opportunity_questions.id'], name=op.f('fk_consensus_scores_question_id_opportunity_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consensus_scores')),
    sa.UniqueConstraint('bid_id', 'question_id', name=op.f('uq_consensus_scores_bid_id_question_id'))
    )
    with op.batch_alter_table('consensus_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consensus_scores_bid_id'), ['bid_id'], unique=False)

    op.create_table('evaluation_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('scored_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score >= 0', name=op.f('ck_evaluation_scores_score_positive')),
    sa.ForeignKeyConstraint(['assignment_id'], ['evaluator_assignments.id'], name=op.f('fk_evaluation_scores_assignment_id_evaluator_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_evaluation_scores_bid_id_bids')),
    sa.ForeignKeyConstraint(['question_id'], ['opportunity_questions.id'], name=op.f('fk_evaluation_scores_question_id_opportunity_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_scores')),
    sa.UniqueConstraint('assignment_id', 'bid_id', 'question_id', name=op.f('uq_evaluation_scores_assignment_id_bid_id_question_id'))
    )
    with op.batch_alter_table('evaluation_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_scores_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_scores_bid_id'), ['bid_id'], unique=False)

    op.create_table('price_clearances',
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('cleared_by_id', sa.Integer(), nullable=False),
    sa.Column('cleared_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_price_clearances_bid_id_bids')),
    sa.ForeignKeyConstraint(['cleared_by_id'], ['users.id'], name=op.f('fk_price_clearances_cleared_by_id_users')),
    sa.PrimaryKeyConstraint('bid_id', name=op.f('pk_price_clearances'))
    )
    op.create_table('social_value_commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.String(length=20), nullable=False),
    sa.Column('promised', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_social_value_commitments_contract_id_contracts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_value_commitments')),
    sa.UniqueConstraint('contract_id', 'measure_id', name=op.f('uq_social_value_commitments_contract_id_measure_id'))
    )
    with op.batch_alter_table('social_value_commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_value_commitments_contract_id'), ['contract_id'], unique=False)

    op.create_table('social_value_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('delivered', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('delivered >= 0', name=op.f('ck_social_value_deliveries_delivered_positive')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_social_value_deliveries_period_in_order')),
    sa.ForeignKeyConstraint(['commitment_id'], ['social_value_commitments.id'], name=op.f('fk_social_value_deliveries_commitment_id_social_value_commitments')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_social_value_deliveries_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_value_deliveries')),
    sa.UniqueConstraint('commitment_id', 'period_start', name=op.f('uq_social_value_deliveries_commitment_id_period_start'))
    )
    with op.batch_alter_table('social_value_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_value_deliveries_commitment_id'), ['commitment_id'], unique=False)

    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_bids_current_submission', 'bid_submissions',
                                    ['current_submission_id'], ['id'])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(STAMP_AND_DEADLINE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP_STAMP_AND_DEADLINE)
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.drop_constraint('fk_bids_current_submission', type_='foreignkey')
    with op.batch_alter_table('social_value_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_value_deliveries_commitment_id'))

    op.drop_table('social_value_deliveries')
    with op.batch_alter_table('social_value_commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_value_commitments_contract_id'))

    op.drop_table('social_value_commitments')
    op.drop_table('price_clearances')
    with op.batch_alter_table('evaluation_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_scores_bid_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_scores_assignment_id'))

    op.drop_table('evaluation_scores')
    with op.batch_alter_table('consensus_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consensus_scores_bid_id'))

    op.drop_table('consensus_scores')
    with op.batch_alter_table('bid_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_submissions_opportunity_id'))
        batch_op.drop_index(batch_op.f('ix_bid_submissions_bid_id'))

    op.drop_table('bid_submissions')
    with op.batch_alter_table('bid_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_partners_bid_id'))

    op.drop_table('bid_partners')
    op.drop_table('bid_exclusions')
    op.drop_table('awards')
    with op.batch_alter_table('award_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_letters_opportunity_id'))

    op.drop_table('award_letters')
    with op.batch_alter_table('evaluator_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluator_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_evaluator_assignments_opportunity_id'))

    op.drop_table('evaluator_assignments')
    op.drop_table('evaluations')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_contracts_lot_id'))
        batch_op.drop_index(batch_op.f('ix_contracts_buyer_id'))

    op.drop_table('contracts')
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bids_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_bids_opportunity_id'))

    op.drop_table('bids')
