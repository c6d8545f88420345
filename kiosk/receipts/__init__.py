"""The receipt a citizen takes home, as data, as a 1-bit printer image, and as an SMS.

Parts: ``fonts`` (a font with every Vietnamese letter, the glyph check), ``model`` (the
receipt as data and its words), ``paper`` (the 1-bit image), ``sms`` (the SMS texts),
``delivery`` (print and text, and say what did not work).
"""
from __future__ import annotations

from kiosk.receipts.delivery import ReceiptOutcome, deliver_receipt
from kiosk.receipts.fonts import (FONT_CANDIDATES, KNOWN_FONT_FILES, VIETNAMESE_SAMPLE,
                                  FontMissing, MissingGlyphs, find_font_file, load_font,
                                  missing_glyphs)
from kiosk.receipts.model import (DEADLINE_LABELS, TITLES, Receipt, next_steps,
                                  printer_test_receipt)
from kiosk.receipts.paper import (MARGIN, WIDTH_DOTS, QrSlot, RenderedReceipt, qr_side,
                                  render_receipt, render_text_sheet)
from kiosk.receipts.sms import SMS_LIMIT, sms_receipt, split_sms, ucs2_len

__all__ = ["DEADLINE_LABELS", "FONT_CANDIDATES", "KNOWN_FONT_FILES", "MARGIN", "SMS_LIMIT",
           "TITLES", "VIETNAMESE_SAMPLE", "WIDTH_DOTS", "FontMissing", "MissingGlyphs",
           "QrSlot", "Receipt", "ReceiptOutcome", "RenderedReceipt", "deliver_receipt",
           "find_font_file", "load_font", "missing_glyphs", "next_steps",
           "printer_test_receipt", "qr_side", "render_receipt", "render_text_sheet",
           "sms_receipt", "split_sms", "ucs2_len"]
