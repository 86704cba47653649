"""Places: an area the operator names (one or more local authorities, or a combined authority)
and the short list of social value measures its buyers agreed to share, so that their contracts'
commitments and delivery add up. A buyer is in a place when its local authority is one of the
place's councils. Low in the layers so that any feature (call-offs, social value reports, spend
analysis) can ask which place a buyer is in; the reports themselves live above what they read."""


def init_app(app):
    from app.places import views

    app.register_blueprint(views.bp)
