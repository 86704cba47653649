CREATE INDEX IF NOT EXISTS ix_opportunities_open_newest ON opportunities ((-id)) WHERE status = 'published' AND closed_recorded_at IS NULL
CREATE INDEX IF NOT EXISTS ix_opportunities_open_value ON opportunities (estimated_value_pence, id) WHERE status = 'published' AND closed_recorded_at IS NULL
