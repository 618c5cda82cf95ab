"""Need scoring: explainable case scores, area need and the heat map."""
