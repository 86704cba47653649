"""Social value measures as data: the operator's list (the project's open list by default, and any
licensed measures an operator imports), each measure's unit, value type, aggregation, direction,
policy outcome and evidence, and the money proxy values an operator may set. Read through
``app.reference.social_value``; managed on the administrators' pages (``views``)."""


def init_app(app):
    from app.measures import views

    app.register_blueprint(views.bp)
