"""Whoosh's W3 codec with a leaner commit path; the files it writes are the same.

Profiling a rebuild of the policy corpus showed most of a commit in three places of
``whoosh.codec``: looking up the document's field length once per posting (five
calls deep), type assertions on every posting, and zlib on every posting block.
This codec keeps the on-disk format (readers use the stock W3 classes) but

- caches each (field, document) length while writing postings,
- appends postings without the per-call assertions (the pool is already checked),
- stores blocks uncompressed (``compression=0``: a few per cent larger files, a
  fifth less commit time; Whoosh reads either),
- stores the postings of rare terms (fewer than ``inlinelimit``) inside the term
  table instead of a block of their own: most character pairs occur in one or
  two documents. (Whoosh has this option, but its writer calls a method that does
  not exist, ``set_inline``; readers handle inlined terms.)
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter

#: Terms with fewer postings than this are stored inline in the term table.
INLINE_LIMIT = 4


class FastCodec(W3Codec):
    def __init__(self, blocklimit=128, compression=0, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit, compression, inlinelimit)

    def field_writer(self, storage, segment):
        return FastFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return FastPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class FastFieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        """``FieldWriter.add_postings`` for sorted (field, term, doc, weight,
        value) items, with the lengths cached."""
        field_length = lengths.doc_field_length if lengths else None
        known: dict[tuple[str, int], int] = {}
        last_field = last_text = None
        writer = None
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != last_field:
                if last_text is not None:
                    self.finish_term()
                if last_field is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                writer = self._postwriter
                last_field, last_text = fieldname, None
            if docnum == -1:  # Whoosh's marker for spelling words: not postings
                continue
            if btext != last_text:
                if last_text is not None:
                    self.finish_term()
                self.start_term(btext)
                last_text = btext
            length = 0
            if field_length is not None:
                key = (fieldname, docnum)
                length = known.get(key)
                if length is None:
                    length = known[key] = field_length(docnum, fieldname) or 0
            writer.add_posting(docnum, weight, value or b"", length)
        if last_text is not None:
            self.finish_term()
        if last_field is not None:
            self.finish_field()


class FastPostingsWriter(W3PostingsWriter):
    def add_posting(self, id_, weight, vbytes, length=None):
        ids = self._ids
        if len(ids) >= self._blocklimit:
            self._write_block()
            ids = self._ids
        ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def finish_postings(self):
        if not self.written() and len(self._ids) < self._inlinelimit:
            terminfo = self._terminfo
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()
