"""Load: seeds/ -> Entry. Files are found and read (files), front matter split and checked
(frontmatter, strict_yaml), each shape read (wire for plain text, markup for Markdown), names
resolved against the actors file (registry), summaries and slugs made (prose, slugs); seeds
puts it together. Nothing here knows pages or output/."""
