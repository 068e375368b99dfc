"""Many films at once: analyse and suggest a catalogue in-process or on a Ray cluster.

``jobs`` holds the per-film work (pure, runs on any worker), ``engine`` the in-process engine and
the choice of engine, ``ray_engine`` the Ray one (the only module that imports ray, and only when a
batch command runs), ``runner`` the driver side (progress, report), ``cli`` the sub-commands.
"""
