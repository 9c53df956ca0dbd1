"""Imported once by the forkserver that starts the PDF workers (see render.to_pdf): loads
WeasyPrint and lays out a line of Chinese in each font, so that every worker forked from it
starts with fontconfig and Pango ready instead of spending its first third of a second on them."""

from workbench.publishing.render import warm_up

warm_up()
