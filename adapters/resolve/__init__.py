"""DaVinci Resolve's room: the live scripting handle, the OTIO shape Resolve imports, the installer.

``host`` is the one module that holds the Resolve handle (:class:`~.host.ResolveHost`);
``otio_shape`` shapes and checks a timeline the way Resolve's own OTIO export looks (files and
OTIO only, no handle); ``install`` puts the entry script into Resolve's Scripts menu and
registers the ``trailersmith install-resolve`` subcommand. Nothing here imports Qt.
"""
