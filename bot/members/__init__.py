"""A member's own data: privacy choices and exports."""
