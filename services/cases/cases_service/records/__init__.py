"""A case's records (issue 15): the document-kind catalogue, the hash chain over a case's documents and recordings,
whole-process recordings (执法全过程记录), the completeness checks, and the content store of the files."""
