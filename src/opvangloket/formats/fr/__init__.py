"""Belgian formats for this language (see ``opvangloket.formats``)."""
