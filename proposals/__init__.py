"""The domain app: consortia, proposals, their review by Commerce and EXIM."""
