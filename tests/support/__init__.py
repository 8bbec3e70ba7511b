"""Helpers shared by the test stages that run against the lab: journal, playbook runs, tagged resources, results."""
