"""ScrewID training toolkit: phantom renderer, models, export."""
