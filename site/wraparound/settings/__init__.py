"""Settings for the Wraparound site: ``base`` holds everything; ``dev``, ``test`` and
``production`` adjust it. Configuration comes from environment variables."""
