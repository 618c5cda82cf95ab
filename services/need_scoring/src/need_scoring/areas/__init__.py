"""Open need per area: rolling-window counts, small-number suppression, the need index,
GeoJSON and the heat map."""
