"""command: 领导批示 and 督办单 with an answer per addressed department on its own deadline, 包案 by a named
leader to 销案, leaders' visits, automatic 督办 rules, 提级, leader ranks

Revision ID: 0009_command
Revises: 0008_scorecards
Create Date: 2026-12-02 14:04:09.469366

"""
from alembic import op
import sqlalchemy as sa


STAGES = ('register', 'dispatch', 'sign', 'contact', 'first_reply', 'resolve', 'revisit')
ORDER_STAGES = ('instruction', 'supervision')
ROLLUP_COLUMNS = ('instruction_decided', 'instruction_on_time', 'supervision_decided', 'supervision_on_time',
                  'orders_late', 'packaged_closed', 'packaged_settled')


def _stage_check(stages) -> str:
    return 'stage IN (' + ', '.join(f"'{s}'" for s in stages) + ')'


# revision identifiers, used by Alembic.
revision = '0009_command'
down_revision = '0008_scorecards'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('trigger', sa.Enum('red_not_signed', 'repeat', 'sensitive', 'overdue_days', name='supervision_rule_trigger', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=True),
    sa.Column('level', sa.Enum('general', 'key', 'listed', name='supervision_rule_level', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('requirement', sa.Text(), nullable=False),
    sa.Column('due_working_days', sa.Integer(), server_default='3', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_rule'))
    )
    op.create_table('case_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('instruction', 'supervision', name='case_order_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('level', sa.Enum('general', 'key', 'listed', name='case_order_level', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='case_order_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_item.id'], name=op.f('fk_case_order_case_id_case_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_case_order_issued_by_id_user_account')),
    sa.ForeignKeyConstraint(['leader_id'], ['user_account.id'], name=op.f('fk_case_order_leader_id_user_account')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['user_account.id'], name=op.f('fk_case_order_on_behalf_of_id_user_account')),
    sa.ForeignKeyConstraint(['rule_id'], ['supervision_rule.id'], name=op.f('fk_case_order_rule_id_supervision_rule'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_order'))
    )
    with op.batch_alter_table('case_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_order_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_case_order_kind_status_due', ['kind', 'status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_order_leader_id'), ['leader_id'], unique=False)
        batch_op.create_index('uq_case_order_rule_level', ['case_id', 'rule_id', 'level'], unique=True, sqlite_where=sa.text('rule_id IS NOT NULL'), postgresql_where=sa.text('rule_id IS NOT NULL'))

    op.create_table('case_package',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('department', 'street', 'district_deputy', 'district_chief', name='case_package_level', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('active', 'settled', 'handed_over', name='case_package_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('settled_at', sa.DateTime(), nullable=True),
    sa.Column('settled_by_id', sa.Integer(), nullable=True),
    sa.Column('settlement', sa.Text(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user_account.id'], name=op.f('fk_case_package_assigned_by_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_item.id'], name=op.f('fk_case_package_case_id_case_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['leader_id'], ['user_account.id'], name=op.f('fk_case_package_leader_id_user_account')),
    sa.ForeignKeyConstraint(['settled_by_id'], ['user_account.id'], name=op.f('fk_case_package_settled_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_package'))
    )
    with op.batch_alter_table('case_package', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_package_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_package_leader_id'), ['leader_id'], unique=False)
        batch_op.create_index('uq_case_package_active', ['case_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('leader_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=True),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('receive', 'go_out', name='leader_visit_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('met_with', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_item.id'], name=op.f('fk_leader_visit_case_id_case_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['leader_id'], ['user_account.id'], name=op.f('fk_leader_visit_leader_id_user_account')),
    sa.ForeignKeyConstraint(['package_id'], ['case_package.id'], name=op.f('fk_leader_visit_package_id_case_package'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_leader_visit_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_visit'))
    )
    with op.batch_alter_table('leader_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_visit_case_id'), ['case_id'], unique=False)

    op.create_table('order_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'answered', 'returned', 'accepted', name='order_target_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('first_answered_at', sa.DateTime(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('check_note', sa.Text(), nullable=True),
    sa.Column('returns', sa.Integer(), server_default='0', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_order_target_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['user_account.id'], name=op.f('fk_order_target_checked_by_id_user_account')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_order_target_department_id_department')),
    sa.ForeignKeyConstraint(['order_id'], ['case_order.id'], name=op.f('fk_order_target_order_id_case_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_target')),
    sa.UniqueConstraint('order_id', 'department_id', name='uq_order_target_department')
    )
    with op.batch_alter_table('order_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_target_department_id'), ['department_id'], unique=False)

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('package_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachment_package_id'), ['package_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_visit_id'), ['visit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attachment_visit_id_leader_visit'), 'leader_visit', ['visit_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_attachment_package_id_case_package'), 'case_package', ['package_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('case_deadline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_case_deadline_case_stage'), type_='unique')
        batch_op.create_index('uq_case_deadline_case_stage', ['case_id', 'stage'], unique=True, sqlite_where=sa.text('target_id IS NULL'), postgresql_where=sa.text('target_id IS NULL'))
        batch_op.create_index('uq_case_deadline_target', ['target_id'], unique=True,
                              sqlite_where=sa.text('target_id IS NOT NULL'), postgresql_where=sa.text('target_id IS NOT NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_case_deadline_target_id_order_target'), 'order_target', ['target_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(op.f('ck_case_deadline_case_deadline_stage'), type_='check')
        batch_op.create_check_constraint('case_deadline_stage', _stage_check(STAGES + ORDER_STAGES))

    with op.batch_alter_table('deadline_policy', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deadline_policy_deadline_stage'), type_='check')
        batch_op.create_check_constraint('deadline_stage', _stage_check(STAGES + ORDER_STAGES))

    with op.batch_alter_table('case_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_level', sa.Enum('department', 'street', 'district', name='case_handling_level', native_enum=False, create_constraint=True, length=20), server_default='department', nullable=False))

    with op.batch_alter_table('daily_rollup', schema=None) as batch_op:
        for name in ROLLUP_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leader_rank', sa.Enum('department', 'street', 'district_deputy', 'district_chief', name='user_leader_rank', native_enum=False, create_constraint=True, length=20), nullable=True))



def downgrade():
    with op.batch_alter_table('daily_rollup', schema=None) as batch_op:
        for name in ROLLUP_COLUMNS:
            batch_op.drop_column(name)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_user_leader_rank'), type_='check')
        batch_op.drop_column('leader_rank')

    with op.batch_alter_table('case_item', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_case_item_case_handling_level'), type_='check')
        batch_op.drop_column('handling_level')

    with op.batch_alter_table('case_deadline', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_deadline_target_id_order_target'), type_='foreignkey')
        batch_op.drop_index('uq_case_deadline_target', sqlite_where=sa.text('target_id IS NOT NULL'),
                            postgresql_where=sa.text('target_id IS NOT NULL'))
        batch_op.drop_index('uq_case_deadline_case_stage', sqlite_where=sa.text('target_id IS NULL'), postgresql_where=sa.text('target_id IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_case_deadline_case_stage'), ['case_id', 'stage'])
        batch_op.drop_column('target_id')
        batch_op.drop_constraint(op.f('ck_case_deadline_case_deadline_stage'), type_='check')
        batch_op.create_check_constraint('case_deadline_stage', _stage_check(STAGES))

    op.execute(sa.text("DELETE FROM deadline_policy WHERE stage IN ('instruction', 'supervision')"))
    with op.batch_alter_table('deadline_policy', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deadline_policy_deadline_stage'), type_='check')
        batch_op.create_check_constraint('deadline_stage', _stage_check(STAGES))

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attachment_package_id_case_package'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_attachment_visit_id_leader_visit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachment_visit_id'))
        batch_op.drop_index(batch_op.f('ix_attachment_package_id'))
        batch_op.drop_column('package_id')
        batch_op.drop_column('visit_id')

    with op.batch_alter_table('order_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_target_department_id'))

    op.drop_table('order_target')
    with op.batch_alter_table('leader_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_visit_case_id'))

    op.drop_table('leader_visit')
    with op.batch_alter_table('case_package', schema=None) as batch_op:
        batch_op.drop_index('uq_case_package_active', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index(batch_op.f('ix_case_package_leader_id'))
        batch_op.drop_index(batch_op.f('ix_case_package_case_id'))

    op.drop_table('case_package')
    with op.batch_alter_table('case_order', schema=None) as batch_op:
        batch_op.drop_index('uq_case_order_rule_level', sqlite_where=sa.text('rule_id IS NOT NULL'), postgresql_where=sa.text('rule_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_case_order_leader_id'))
        batch_op.drop_index('ix_case_order_kind_status_due')
        batch_op.drop_index(batch_op.f('ix_case_order_case_id'))

    op.drop_table('case_order')
    op.drop_table('supervision_rule')
