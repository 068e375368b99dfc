"""Icons, default settings and editor entry scripts shipped with the package."""
