"""Stand-ins for the pipeline and for DaVinci Resolve's scripting API."""
