"""The regional catalogue of locations: a read projection of every loket's published locations."""
