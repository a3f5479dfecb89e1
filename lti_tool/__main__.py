"""`python -m lti_tool …` = the `mastery` console script (runs this checkout's code)."""

from lti_tool.cli import main

main()
