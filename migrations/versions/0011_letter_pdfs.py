"""Award letters as tagged PDFs beside the HTML letter

Revision ID: 0011_letter_pdfs
Revises: 0010_sign_in_sessions
Create Date: 2026-12-04 21:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_letter_pdfs'
down_revision = '0010_sign_in_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('award_letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_award_letters_pdf_document_id_documents'), 'documents', ['pdf_document_id'], ['id'])


def downgrade():
    with op.batch_alter_table('award_letters', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_award_letters_pdf_document_id_documents'), type_='foreignkey')
        batch_op.drop_column('pdf_document_id')
