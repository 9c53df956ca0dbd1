"""Publishing a rule to the portal in tests that are about the portal's pages, not about the
layout: the PDF and Word files are put in the store of documents beforehand (tiny stand-ins),
so `publish` finds them laid out and takes milliseconds instead of seconds."""

from workbench.drafting import service as drafting
from workbench.publishing import service as publishing
from workbench.publishing.models import StoredDocument
from workbench.publishing.repository import PublicationRepository

STAND_INS = {"pdf": b"%PDF-1.7 stand-in", "docx": b"PK stand-in"}


def publish_without_layout(session, app, rule, *, by, note: str = ""):
    """Publish `rule`'s public revision as `service.publish` does, with stand-in PDF and Word files."""
    revision = drafting.public_revision(session, rule)
    doc = publishing.rule_document(rule, revision)
    for kind, content in STAND_INS.items():
        key = publishing.document_key(doc.source, doc.meta, kind)
        if publishing.stored_document(session, key) is None:
            session.add(StoredDocument(checksum=key, kind=kind, content=content, size=len(content)))
    session.flush()
    repository = PublicationRepository(app.config["PUBLICATION_REPOSITORY"])
    record, _created = publishing.publish(session, rule, by=by, repository=repository, note=note)
    return record
