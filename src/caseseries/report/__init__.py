"""Reports: literature tables, figures, HTML/Markdown/DOCX/CSV output, exporters."""
