"""Schema objects that only the migrations know about (PostgreSQL-specific), which autogenerate
and the models-vs-migrations check must leave alone."""

DATABASE_ONLY = {
    "search_vector",
    "ix_opportunities_search_vector",
    "ix_opportunities_search_open",
    "ix_opportunities_search_open_by",
    "ix_opportunities_search_closed_by",
    "ix_opportunities_closed_id",
    "ix_opportunities_closed_region_id",
    "ix_opportunities_closed_national_id",
    "ix_opportunities_closed_published",
    "ix_opportunities_open_newest",
    "ix_opportunities_open_value",
}


def include_object(obj, name, type_, reflected, compare_to):
    return name not in DATABASE_ONLY
