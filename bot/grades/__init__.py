"""A player's grade after the reveal: My grade, appeals, regrades and the optional judge."""
