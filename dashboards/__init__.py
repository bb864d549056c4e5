"""The simfraud dashboard: a multi-page Dash app over result folders and scenarios."""
