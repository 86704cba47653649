"""A buyer's pipeline of planned call-offs: items listed publicly up to 18 months ahead,
suppliers' interest in them (and the buyer's view of it by kind of supplier), market engagement
events with limited places, and the step that turns an item into a draft call-off. Builds on
``lots.opportunities`` (drafts and its publication hook) and nothing above it."""
