"""Result folders: summaries, manifests and atomic writing."""
