"""Database specifics: URLs to library settings, transcodings, schema set-up."""
