"""Who read or changed a case's score, and when."""
