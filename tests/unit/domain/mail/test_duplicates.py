"""The content hash: what a relay may change leaves it alone, what the customer wrote does not."""

from __future__ import annotations

from chalicelib.domain.mail.duplicates import Fingerprint, content_hash, is_same_mail

TEXT = "Hello,\n\nmy invoice 4711 shows 120 EUR.\n\nAnna\n"


def test_line_endings_trailing_spaces_and_unicode_forms_do_not_change_the_hash() -> None:
    relayed = "\r\n" + TEXT.replace("\n", "  \r\n")
    decomposed = TEXT.replace("Anna", "Ånna".replace("Å", "A\u030a"))
    assert content_hash(relayed, []) == content_hash(TEXT, [])
    assert content_hash(decomposed, []) == content_hash(TEXT.replace("Anna", "Ånna"), [])


def test_another_word_or_another_attachment_changes_the_hash() -> None:
    assert content_hash(TEXT.replace("120", "150"), []) != content_hash(TEXT, [])
    assert content_hash(TEXT, [b"%PDF-1"]) != content_hash(TEXT, [b"%PDF-2"])
    assert content_hash(TEXT, [b"%PDF-1"]) != content_hash(TEXT, [])


def test_the_same_mail_needs_both_the_sender_and_the_hash_and_an_unknown_is_never_it() -> None:
    found = Fingerprint("anna@customer.example", "h1")
    assert is_same_mail(found, "anna@customer.example", "h1")
    assert not is_same_mail(found, "bo@elsewhere.example", "h1")
    assert not is_same_mail(found, "anna@customer.example", "h2")
    assert not is_same_mail(found, None, None), "an index entry written before hashes were kept"
