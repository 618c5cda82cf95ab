"""The faust stream: cases in, scores and area need out."""
