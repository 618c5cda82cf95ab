"""Reading a case's score: staff see every factor and its reason; each read is logged."""
