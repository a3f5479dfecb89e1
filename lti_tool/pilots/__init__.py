"""Pilots: groups of LMS courses, coordinators, the pilot dashboard, the learners' voice and data rights."""
