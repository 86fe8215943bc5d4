"""View models and server-side SVG for the pages (trend plots, spine diagram, charts)."""
