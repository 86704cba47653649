"""What is fixed when a call-off is published: its scoring scale and abnormally-low percentage
(published with the criteria, read by the evaluation instead of configuration), and tender
documents replaced by an amendment (the old one stays on record).

Call-offs published before this migration keep the figures they were evaluated with (from their
evaluation, if the bids were opened) or, if not yet opened, the old configuration defaults (0-4,
30%) under which they were published.

Revision ID: 0012_frozen_terms
Revises: 0011_letter_pdfs
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_frozen_terms'
down_revision = '0011_letter_pdfs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score_scale_max', sa.Integer(), server_default='5',
                                      nullable=False))
        batch_op.add_column(sa.Column('abnormally_low_percent', sa.Integer(), server_default='30',
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_opportunities_score_scale_range'),
                                         'score_scale_max BETWEEN 1 AND 10')
        batch_op.create_check_constraint(op.f('ck_opportunities_abnormally_low_range'),
                                         'abnormally_low_percent BETWEEN 1 AND 99')
    # Published before this migration: the figures they were (or will be) evaluated with.
    op.execute("UPDATE opportunities SET score_scale_max = 4 WHERE published_at IS NOT NULL")
    op.execute(
        "UPDATE opportunities SET "
        "score_scale_max = (SELECT e.scale_max FROM evaluations e "
        "WHERE e.opportunity_id = opportunities.id), "
        "abnormally_low_percent = (SELECT e.abnormally_low_percent FROM evaluations e "
        "WHERE e.opportunity_id = opportunities.id) "
        "WHERE id IN (SELECT opportunity_id FROM evaluations)"
    )

    with op.batch_alter_table('opportunity_amendments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_document_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_opportunity_amendments_replaced_document_id_documents'),
            'documents', ['replaced_document_id'], ['id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_opportunity_amendments_document_id_documents'),
            'documents', ['document_id'], ['id'])


def downgrade():
    with op.batch_alter_table('opportunity_amendments', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_opportunity_amendments_document_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(
            batch_op.f('fk_opportunity_amendments_replaced_document_id_documents'),
            type_='foreignkey')
        batch_op.drop_column('document_id')
        batch_op.drop_column('replaced_document_id')

    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_opportunities_abnormally_low_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_opportunities_score_scale_range'), type_='check')
        batch_op.drop_column('abnormally_low_percent')
        batch_op.drop_column('score_scale_max')
