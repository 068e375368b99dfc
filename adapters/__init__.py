"""Editor and file-format glue: OTIO, EDL, FCP XML, Kdenlive, DaVinci Resolve."""
