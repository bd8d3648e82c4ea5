"""The training service: yearly training hours, required courses, rotation, qualification exams."""
