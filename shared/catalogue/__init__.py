"""The regional offer catalogue: a read projection of every loket's published locations."""
