"""Languages: the message catalogs (`catalog`), which language a person reads (`language`), and the Babel
extractor that finds the strings to translate (`extract`)."""
