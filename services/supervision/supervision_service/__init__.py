"""The supervision service: items and complaints with deadlines, and each agency's promptness."""
