"""The style stage: stylesheets → computed styles (the CSS reader, selectors, the cascade, properties)."""
